import { randomBytes, timingSafeEqual } from "node:crypto";
import { IsNull, type DataSource } from "typeorm";
import type { Clock } from "../../infra/clock";
import type { KeyValueStore } from "../../infra/kv/keyValueStore";
import type { RealtimePublisher } from "../../realtime/publisher";
import type { WechatApiClient } from "../../wechat/api/client";
import type { PassiveReply } from "../../wechat/callback/messages";
import { Agent } from "./agent.entity";

/**
 * QR login: the login page gets a short-lived temporary QR code with a random `login_…` scene; the
 * agent scans it with their bound WeChat; the scan (a SCAN or subscribe callback) marks the scene done
 * with a one-time code, pushed to the page, which exchanges scene + code for the session cookie.
 *
 * State, in the key-value store (shared by instances):
 * - `login-qr:<scene>`: {status: pending | done, code?, agentId?}, for the QR's lifetime; deleted by the
 *   exchange (single use).
 * - `login-qr-claim:<scene>`: the first bound scan takes it; later scans are told the code is used.
 * - `login-qr-refused:<scene>`: an unbound WeChat scanned it (the page says so; a bound scan still works).
 */

export const LOGIN_QR_TTL_MS = 3 * 60_000;
/** After the scan the page has this long to exchange its code. */
const EXCHANGE_WINDOW_MS = 2 * 60_000;
const SCENE_PREFIX = "login_";
const SCENE_PATTERN = /^login_[A-Za-z0-9_-]{16,58}$/;

export const LOGIN_TEXTS = {
  unbound: "您的微信尚未绑定客服账号，无法登录客服工作台。请联系管理员获取绑定二维码，绑定后再扫码登录。",
  expired: "登录二维码已失效（有效期 3 分钟，且只能使用一次）。请在登录页刷新二维码后重新扫描。",
  refusedOnPage: "扫码的微信尚未绑定客服账号，请使用已绑定的微信扫码，或联系管理员绑定。",
  success: (agent: Pick<Agent, "name" | "jobNumber">) =>
    `登录成功：${agent.name}（工号 ${agent.jobNumber}）已登录水务客服工作台。如非本人操作，请立即联系管理员。`,
};

interface LoginSceneRecord {
  status: "pending" | "done";
  expiresAt: number;
  agentId?: string;
  code?: string;
}

export type LoginSceneStatus = "pending" | "refused" | "done" | "expired";

/** What the login page may know about its scene (the poll fallback and the socket watch). */
export interface LoginSceneView {
  status: LoginSceneStatus;
  /** The one-time code to exchange, once done. */
  code?: string;
  expiresAt?: string;
  message?: string;
}

const sceneKey = (scene: string) => `login-qr:${scene}`;
const claimKey = (scene: string) => `login-qr-claim:${scene}`;
const refusedKey = (scene: string) => `login-qr-refused:${scene}`;

export const isLoginScene = (scene: string) => scene.startsWith(SCENE_PREFIX);

export async function readLoginScene(kv: KeyValueStore, scene: string): Promise<LoginSceneView> {
  if (!SCENE_PATTERN.test(scene)) return { status: "expired" };
  const raw = await kv.get(sceneKey(scene));
  if (!raw) return { status: "expired" };
  const record = JSON.parse(raw) as LoginSceneRecord;
  const expiresAt = new Date(record.expiresAt).toISOString();
  if (record.status === "done") return { status: "done", code: record.code, expiresAt };
  if (await kv.get(refusedKey(scene))) return { status: "refused", expiresAt, message: LOGIN_TEXTS.refusedOnPage };
  return { status: "pending", expiresAt };
}

export interface IssuedLoginQr {
  scene: string;
  imageUrl: string;
  expiresAt: string;
}

export class LoginQrService {
  constructor(
    private readonly deps: {
      kv: KeyValueStore;
      wechat: WechatApiClient;
      dataSource: DataSource;
      clock: Clock;
      realtime: () => RealtimePublisher;
    },
  ) {}

  /** A new login QR code: one per page load, valid for 3 minutes. */
  async issue(): Promise<IssuedLoginQr> {
    const scene = `${SCENE_PREFIX}${randomBytes(18).toString("base64url")}`;
    const qrCode = await this.deps.wechat.createTemporaryQrCode(scene, LOGIN_QR_TTL_MS / 1000);
    const expiresAt = this.deps.clock.now().getTime() + LOGIN_QR_TTL_MS;
    const record: LoginSceneRecord = { status: "pending", expiresAt };
    await this.deps.kv.set(sceneKey(scene), JSON.stringify(record), LOGIN_QR_TTL_MS);
    return { scene, imageUrl: qrCode.imageUrl, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** A WeChat user scanned a login QR code: log their agent in on that page, or say why not. */
  async scanned(openid: string, scene: string): Promise<PassiveReply> {
    const { kv, realtime } = this.deps;
    const raw = SCENE_PATTERN.test(scene) ? await kv.get(sceneKey(scene)) : null;
    const record = raw ? (JSON.parse(raw) as LoginSceneRecord) : null;
    if (!record || record.status !== "pending") return text(LOGIN_TEXTS.expired);

    const agent = await this.deps.dataSource.getRepository(Agent).findOneBy({ wechatOpenid: openid, deletedAt: IsNull() });
    if (!agent) {
      await kv.set(refusedKey(scene), "1", LOGIN_QR_TTL_MS);
      realtime().toLoginPage(scene, "login:refused", { scene, message: LOGIN_TEXTS.refusedOnPage });
      return text(LOGIN_TEXTS.unbound);
    }
    // Single use: of two bound scans (or two instances handling them) only the first logs in.
    if (!(await kv.setIfAbsent(claimKey(scene), agent.id, LOGIN_QR_TTL_MS + EXCHANGE_WINDOW_MS))) return text(LOGIN_TEXTS.expired);
    const code = randomBytes(24).toString("base64url");
    const done: LoginSceneRecord = { status: "done", expiresAt: this.deps.clock.now().getTime() + EXCHANGE_WINDOW_MS, agentId: agent.id, code };
    await kv.set(sceneKey(scene), JSON.stringify(done), EXCHANGE_WINDOW_MS);
    realtime().toLoginPage(scene, "login:done", { scene, code });
    return text(LOGIN_TEXTS.success(agent));
  }

  /**
   * Trades the page's scene + one-time code for its agent, once: the scene is deleted by the first
   * exchange. Null when the scene is unknown, expired, not scanned, already used or the code is wrong.
   */
  async exchange(scene: string, code: string): Promise<Agent | null> {
    const { kv } = this.deps;
    if (!SCENE_PATTERN.test(scene)) return null;
    const raw = await kv.get(sceneKey(scene));
    if (!raw) return null;
    const record = JSON.parse(raw) as LoginSceneRecord;
    if (record.status !== "done" || !record.code || !record.agentId || !sameSecret(record.code, code)) return null;
    if (!(await kv.deleteIfEquals(sceneKey(scene), raw))) return null;
    return this.deps.dataSource.getRepository(Agent).findOneBy({ id: record.agentId, deletedAt: IsNull() });
  }
}

function text(content: string): PassiveReply {
  return { type: "text", content };
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
