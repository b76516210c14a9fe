import type { Clock } from "../../infra/clock";
import { responseMessage, verifySha256WithRsa } from "./payCrypto";
import type { WechatPayKeys } from "./payKeys";

/** The Wechatpay-* headers of a notification (or of an API response). */
export interface NotifyHeaders {
  timestamp: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
  serial: string | undefined;
}

export type NotifyRejectReason =
  | "missing_headers"
  | "stale"
  | "unknown_serial"
  | "bad_signature"
  | "probe"
  | "malformed"
  | "decrypt_failed";

/** Why a notification (or a response) was not accepted; answer notifications with 4xx/5xx + {code:"FAIL"}. */
export class NotifyRejected extends Error {
  reason: NotifyRejectReason;
  constructor(reason: NotifyRejectReason, message: string = reason) {
    super(message);
    this.name = "NotifyRejected";
    this.reason = reason;
  }
}

/** WeChat's probe traffic carries deliberately wrong signatures with this prefix (doc 4016241880). */
export const PROBE_SIGNATURE_PREFIX = "WECHATPAY/SIGNTEST/";
/** The official SDKs reject |now − Wechatpay-Timestamp| ≥ 5 minutes (wechatpay-go FiveMinute). */
export const MAX_CLOCK_SKEW_SECONDS = 300;

/** Picks the Wechatpay-* headers out of Node/Koa request headers or fetch Headers. */
export function readWechatpayHeaders(headers: Headers | Record<string, string | string[] | undefined>): NotifyHeaders {
  const get = (name: string): string | undefined => {
    if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
    const value = (headers as Record<string, string | string[] | undefined>)[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return {
    timestamp: get("wechatpay-timestamp"),
    nonce: get("wechatpay-nonce"),
    signature: get("wechatpay-signature"),
    serial: get("wechatpay-serial"),
  };
}

/**
 * Checks a WeChat Pay signature over `timestamp\nnonce\nbody\n` with the RAW body. Synchronous: an unknown
 * certificate serial is rejected now and a throttled background refresh is started, so WeChat's retry
 * of the same notification succeeds once the new certificate is loaded. Throws NotifyRejected.
 */
export function checkWechatPaySignature(keys: WechatPayKeys, clock: Clock, headers: NotifyHeaders, rawBody: string): void {
  const { timestamp, nonce, signature, serial } = headers;
  if (!timestamp || !nonce || !signature || !serial) throw new NotifyRejected("missing_headers");
  if (signature.startsWith(PROBE_SIGNATURE_PREFIX)) throw new NotifyRejected("probe", "signature probe");
  checkTimestamp(clock, timestamp);
  const key = keys.find(serial);
  if (!key) {
    keys.refreshSoon(serial);
    throw new NotifyRejected("unknown_serial", `unknown Wechatpay-Serial ${serial}`);
  }
  if (!verifySha256WithRsa(key, responseMessage(timestamp, nonce, rawBody), signature)) {
    throw new NotifyRejected("bad_signature");
  }
}

export function checkTimestamp(clock: Clock, timestamp: string): void {
  if (!/^\d{1,12}$/.test(timestamp)) throw new NotifyRejected("malformed", "Wechatpay-Timestamp is not a number");
  const skew = Math.abs(clock.now().getTime() / 1000 - Number(timestamp));
  if (skew >= MAX_CLOCK_SKEW_SECONDS) throw new NotifyRejected("stale", `Wechatpay-Timestamp off by ${Math.round(skew)} s`);
}
