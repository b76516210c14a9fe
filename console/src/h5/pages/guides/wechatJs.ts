import { fanGet } from "../../api";

/**
 * The WeChat JS-SDK for location and the map, only inside WeChat's browser: the script from WeChat's CDN,
 * wx.config with the server's signature (GET /api/fan/jssdk-config, for this page's URL without the hash).
 * Outside WeChat the callers fall back to the browser (geolocation, a map link).
 */

interface Wx {
  config(options: Record<string, unknown>): void;
  ready(callback: () => void): void;
  error(callback: (result: unknown) => void): void;
  getLocation(options: { type: "gcj02" | "wgs84"; success(result: { latitude: number; longitude: number }): void; fail(result: unknown): void; cancel?(result: unknown): void }): void;
  openLocation(options: { latitude: number; longitude: number; name: string; address: string; scale: number }): void;
}

const SDK_URL = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js";
const APIS = ["getLocation", "openLocation"];

export function isWeChat(): boolean {
  return /MicroMessenger/i.test(navigator.userAgent);
}

let ready: Promise<Wx> | null = null;

function loadScript(): Promise<Wx> {
  return new Promise((resolve, reject) => {
    const existing = (window as unknown as { wx?: Wx }).wx;
    if (existing) return resolve(existing);
    const script = document.createElement("script");
    script.src = SDK_URL;
    script.onload = () => {
      const wx = (window as unknown as { wx?: Wx }).wx;
      if (wx) resolve(wx);
      else reject(new Error("jweixin did not load"));
    };
    script.onerror = () => reject(new Error("jweixin did not load"));
    document.head.appendChild(script);
  });
}

/** The configured SDK (once per page load); rejects outside WeChat or when the signature is refused. */
export function wechatJs(): Promise<Wx> {
  if (!isWeChat()) return Promise.reject(new Error("not in WeChat"));
  ready ??= (async () => {
    const wx = await loadScript();
    const url = location.href.split("#")[0];
    const signed = await fanGet<{ appId: string; timestamp: number; nonceStr: string; signature: string }>("/jssdk-config", { url });
    return new Promise<Wx>((resolve, reject) => {
      wx.config({ debug: false, ...signed, jsApiList: APIS });
      wx.ready(() => resolve(wx));
      wx.error((result) => reject(new Error(JSON.stringify(result))));
    });
  })().catch((error) => {
    ready = null; // a later call may try again (e.g. after a network blip)
    throw error;
  });
  return ready;
}

export interface Position {
  latitude: number;
  longitude: number;
}

/**
 * The fan's position, or null when unavailable or refused (the list then sorts by name). Inside WeChat:
 * GCJ-02 from the SDK, the same datum as the outlets. In a browser, or in WeChat when the SDK cannot be
 * used (its script blocked, the signature refused): the Geolocation API (WGS-84, a few hundred metres off
 * in mainland China: good enough to sort nearby outlets).
 */
export async function currentPosition(timeoutMs = 8000): Promise<Position | null> {
  if (isWeChat()) {
    // Without the SDK, WeChat's browser still answers the Geolocation API below.
    const wx = await wechatJs().catch(() => null);
    if (wx) {
      return await new Promise<Position | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), timeoutMs);
        wx.getLocation({
          type: "gcj02",
          success: (result) => {
            clearTimeout(timer);
            resolve({ latitude: Number(result.latitude), longitude: Number(result.longitude) });
          },
          fail: () => resolve(null),
          cancel: () => resolve(null),
        });
      });
    }
  }
  if (!("geolocation" in navigator)) return null;
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (position) => resolve({ latitude: position.coords.latitude, longitude: position.coords.longitude }),
      () => resolve(null),
      { enableHighAccuracy: false, timeout: timeoutMs, maximumAge: 5 * 60_000 },
    );
  });
}

/** Amap's marker page: takes GCJ-02 as stored, opens the Amap app on phones that have it, a web map otherwise. */
export function mapUrl(place: { latitude: number; longitude: number; name: string }): string {
  return `https://uri.amap.com/marker?position=${place.longitude},${place.latitude}&name=${encodeURIComponent(place.name)}&coordinate=gaode&callnative=1&src=shuiwu`;
}

/** 导航: WeChat's own map (with its route planning) inside WeChat, the Amap page elsewhere. */
export async function openMap(place: { latitude: number; longitude: number; name: string; address: string }): Promise<void> {
  if (isWeChat()) {
    try {
      const wx = await wechatJs();
      wx.openLocation({ latitude: place.latitude, longitude: place.longitude, name: place.name, address: place.address, scale: 16 });
      return;
    } catch {
      // fall through to the web map
    }
  }
  window.location.href = mapUrl(place);
}
