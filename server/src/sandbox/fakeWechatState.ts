import { randomBytes } from "node:crypto";
import type { Clock } from "../infra/clock";
import { systemClock } from "../infra/clock";

/**
 * What the fake WeChat knows and remembers: credentials it issued, the fans, everything the account
 * sent, menus, QR codes, media and OAuth codes, plus the faults a test asked for. The HTTP side
 * (fakeWechat.ts) only translates requests into calls on this state.
 */

export interface FakeWechatOptions {
  appId: string;
  appSecret: string;
  /** Lifetime of issued access tokens; WeChat's is 7200 s. */
  tokenTtlSeconds?: number;
  /** Where the fake is reachable from outside (including any mount prefix), for URLs it hands out. */
  publicBase?: string;
  clock?: Clock;
}

export interface FakeFan {
  openId: string;
  nickname?: string;
  subscribed: boolean;
  /** Unix seconds of the latest follow. */
  subscribeTime?: number;
  unionId?: string;
  remark?: string;
  tagIds?: number[];
  /** The scene of the QR code the fan followed through, if any. */
  qrSceneStr?: string;
}

/** One thing the account sent a fan, in sending order. `body` is the request as WeChat received it. */
export type FakeSentMessage =
  | {
      kind: "custom";
      seq: number;
      at: Date;
      toUser: string;
      msgType: string;
      kfAccount?: string;
      body: Record<string, unknown>;
    }
  | {
      kind: "template";
      seq: number;
      at: Date;
      toUser: string;
      msgId: string;
      templateId: string;
      clientMsgId?: string;
      body: Record<string, unknown>;
    };

export interface FakeTyping {
  at: Date;
  toUser: string;
  command: string;
}

export interface FakeQrCode {
  ticket: string;
  actionName: string;
  sceneStr?: string;
  sceneId?: number;
  /** What the code encodes. */
  url: string;
  createdAt: Date;
  /** Absent for permanent codes. */
  expiresAt?: Date;
}

export interface FakeMedia {
  mediaId: string;
  type: string;
  contentType: string;
  fileName: string;
  data: Buffer;
  createdAt: Date;
}

export interface FakeOAuthCode {
  openId: string;
  scope: "snsapi_base" | "snsapi_userinfo";
  snapshotUser: boolean;
  expiresAt: Date;
  used: boolean;
}

export interface FakeFault {
  /** Answer HTTP 200 with this errcode (e.g. -1, 45015, 40001). */
  errcode?: number;
  errmsg?: string;
  /** Answer with this HTTP status instead (e.g. 502). */
  httpStatus?: number;
  /** Wait this long first; alone, the request is then served normally (for timeouts). */
  delayMs?: number;
  /** Cut the connection without answering (a network error on the client). */
  dropConnection?: boolean;
  /** How many of the next requests to that path fail; default 1. */
  times?: number;
}

interface IssuedToken {
  expiresAt: number;
  revoked: boolean;
}

const OAUTH_CODE_TTL_MS = 5 * 60_000;
const MEDIA_TTL_MS = 3 * 24 * 3600_000;
const TEMPLATE_DEDUPE_MS = 10 * 60_000;
/** Template msgids start above 2^53 so clients that parse JSON numbers naively lose digits. */
const TEMPLATE_MSGID_BASE = 2n ** 60n;

/** WeChat's messages for the codes the fake produces, so logs read like the real thing. */
export const FAKE_ERRMSG: Record<number, string> = {
  [-1]: "system error",
  40001: "invalid credential, access_token is invalid or not latest",
  40002: "invalid grant_type",
  40003: "invalid openid",
  40004: "invalid media type",
  40007: "invalid media_id",
  40008: "invalid message type",
  40013: "invalid appid",
  40016: "invalid button size",
  40017: "invalid button type",
  40018: "invalid button name size",
  40019: "invalid button key size",
  40020: "invalid button url size",
  40023: "invalid sub button size",
  40024: "invalid sub button type",
  40025: "invalid sub button name size",
  40026: "invalid sub button key size",
  40027: "invalid sub button url size",
  40029: "invalid code",
  40033: "invalid charset. please check your request, if include \\uxxxx will create fail!",
  40037: "invalid template_id",
  40097: "invalid args",
  40125: "invalid appsecret",
  40163: "code been used",
  41001: "access_token missing",
  41005: "media data missing",
  41008: "missing code",
  42001: "access_token expired",
  43004: "require subscribe",
  44003: "empty news data",
  44004: "empty content",
  45001: "media size out of limit",
  45008: "article size out of limit",
  45009: "reach max api daily quota limit",
  45011: "api minute-quota reach limit",
  45015: "response out of time limit or subscription is canceled",
  45047: "out of response count limit",
  45072: "command field content is invalid",
  46003: "menu no exist",
  47001: "data format error",
};

export class FakeWechatState {
  readonly appId: string;
  readonly appSecret: string;
  readonly clock: Clock;
  tokenTtlSeconds: number;
  publicBase?: string;

  /** Requests per route path (e.g. "/cgi-bin/token"), counted before faults are applied. */
  readonly requestCounts = new Map<string, number>();
  readonly fans = new Map<string, FakeFan>();
  readonly sent: FakeSentMessage[] = [];
  readonly typingEvents: FakeTyping[] = [];
  menu: Record<string, unknown> | null = null;
  readonly qrCodes = new Map<string, FakeQrCode>();
  readonly media = new Map<string, FakeMedia>();
  readonly oauthCodes = new Map<string, FakeOAuthCode>();
  jsapiTicket: string | null = null;

  private readonly tokens = new Map<string, IssuedToken>();
  private currentToken: string | null = null;
  private readonly faults = new Map<string, FakeFault[]>();
  private seq = 0;
  private templateCount = 0n;
  private menuId = 0;

  constructor(options: FakeWechatOptions) {
    this.appId = options.appId;
    this.appSecret = options.appSecret;
    this.tokenTtlSeconds = options.tokenTtlSeconds ?? 7200;
    this.publicBase = options.publicBase;
    this.clock = options.clock ?? systemClock;
  }

  get tokenRequests(): number {
    return this.requestCounts.get("/cgi-bin/token") ?? 0;
  }

  get customMessages(): FakeSentMessage[] {
    return this.sent.filter((message) => message.kind === "custom");
  }

  get templateMessages(): FakeSentMessage[] {
    return this.sent.filter((message) => message.kind === "template");
  }

  /** Everything the account sent this fan (custom and template messages), oldest first. */
  messagesTo(openId: string): FakeSentMessage[] {
    return this.sent.filter((message) => message.toUser === openId);
  }

  // ---- faults ----

  /** Makes the next request(s) to `path` (a route path such as "/cgi-bin/message/custom/send") fail. */
  failNext(path: string, fault: FakeFault): void {
    const queue = this.faults.get(path) ?? [];
    queue.push({ ...fault, times: fault.times ?? 1 });
    this.faults.set(path, queue);
  }

  /** The fault for this request, if one is queued; used by the HTTP side. */
  takeFault(path: string): FakeFault | undefined {
    const queue = this.faults.get(path);
    const fault = queue?.[0];
    if (!queue || !fault) return undefined;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) queue.shift();
    return fault;
  }

  countRequest(path: string): void {
    this.requestCounts.set(path, (this.requestCounts.get(path) ?? 0) + 1);
  }

  // ---- access tokens ----

  /** Issues a new token; like WeChat's /cgi-bin/token it revokes the previous one. */
  issueToken(): { token: string; expiresIn: number } {
    if (this.currentToken) this.tokens.get(this.currentToken)!.revoked = true;
    const token = randomBytes(96).toString("base64url");
    this.tokens.set(token, { expiresAt: this.now() + this.tokenTtlSeconds * 1000, revoked: false });
    this.currentToken = token;
    return { token, expiresIn: this.tokenTtlSeconds };
  }

  /** 0 when the token may call the API, else WeChat's errcode. */
  checkToken(token: string | undefined): number {
    if (!token) return 41001;
    const issued = this.tokens.get(token);
    if (!issued || issued.revoked) return 40001;
    if (issued.expiresAt <= this.now()) return 42001;
    return 0;
  }

  expireAllTokens(): void {
    for (const issued of this.tokens.values()) issued.expiresAt = Math.min(issued.expiresAt, this.now());
  }

  // ---- fans ----

  /** Adds or updates a fan; following sets subscribeTime to now unless given. */
  upsertFan(fan: Partial<FakeFan> & { openId: string }): FakeFan {
    const existing = this.fans.get(fan.openId);
    const merged: FakeFan = { subscribed: true, ...existing, ...fan };
    if (merged.subscribed && !existing?.subscribed && fan.subscribeTime === undefined) {
      merged.subscribeTime = Math.floor(this.now() / 1000);
    }
    this.fans.set(fan.openId, merged);
    return merged;
  }

  /** 0 when the account may message this fan: unknown → 40003, unfollowed → 43004. */
  checkFollower(openId: unknown): number {
    const fan = typeof openId === "string" ? this.fans.get(openId) : undefined;
    if (!fan) return 40003;
    return fan.subscribed ? 0 : 43004;
  }

  // ---- sent messages ----

  recordCustom(body: Record<string, unknown>): FakeSentMessage {
    const kfAccount = (body.customservice as { kf_account?: string } | undefined)?.kf_account;
    const message: FakeSentMessage = {
      kind: "custom",
      seq: ++this.seq,
      at: this.clock.now(),
      toUser: String(body.touser),
      msgType: String(body.msgtype),
      ...(kfAccount ? { kfAccount } : {}),
      body,
    };
    this.sent.push(message);
    return message;
  }

  /** Records a template send and returns its msgid; a repeated client_msg_id within 10 min returns the first one. */
  recordTemplate(body: Record<string, unknown>): string {
    const toUser = String(body.touser);
    const clientMsgId = typeof body.client_msg_id === "string" ? body.client_msg_id : undefined;
    if (clientMsgId) {
      const previous = this.sent.find(
        (message) =>
          message.kind === "template" &&
          message.toUser === toUser &&
          message.clientMsgId === clientMsgId &&
          this.now() - message.at.getTime() < TEMPLATE_DEDUPE_MS,
      );
      if (previous?.kind === "template") return previous.msgId;
    }
    const msgId = (TEMPLATE_MSGID_BASE + ++this.templateCount).toString();
    this.sent.push({
      kind: "template",
      seq: ++this.seq,
      at: this.clock.now(),
      toUser,
      msgId,
      templateId: String(body.template_id),
      ...(clientMsgId ? { clientMsgId } : {}),
      body,
    });
    return msgId;
  }

  recordTyping(toUser: string, command: string): void {
    this.typingEvents.push({ at: this.clock.now(), toUser, command });
  }

  // ---- menu ----

  storeMenu(menu: Record<string, unknown>): void {
    this.menu = { ...menu, menuid: ++this.menuId };
  }

  // ---- QR codes ----

  createQrCode(init: { actionName: string; sceneStr?: string; sceneId?: number; expireSeconds?: number }): FakeQrCode {
    // 31 random bytes encode with "==" padding, so clients must URL-encode the ticket.
    const ticket = `gQ${randomBytes(31).toString("base64")}`;
    const createdAt = this.clock.now();
    const qrCode: FakeQrCode = {
      ticket,
      actionName: init.actionName,
      ...(init.sceneStr !== undefined ? { sceneStr: init.sceneStr } : {}),
      ...(init.sceneId !== undefined ? { sceneId: init.sceneId } : {}),
      url: `http://weixin.qq.com/q/${randomBytes(16).toString("base64url")}`,
      createdAt,
      ...(init.expireSeconds !== undefined ? { expiresAt: new Date(createdAt.getTime() + init.expireSeconds * 1000) } : {}),
    };
    this.qrCodes.set(ticket, qrCode);
    return qrCode;
  }

  /** The QR code behind a ticket, or undefined when unknown or expired. */
  qrCode(ticket: string): FakeQrCode | undefined {
    const qrCode = this.qrCodes.get(ticket);
    if (!qrCode || (qrCode.expiresAt && qrCode.expiresAt.getTime() <= this.now())) return undefined;
    return qrCode;
  }

  /** Where the fake serves the image for a ticket. */
  qrImageUrl(ticket: string): string {
    return `${this.publicBase ?? ""}/cgi-bin/showqrcode?ticket=${encodeURIComponent(ticket)}`;
  }

  // ---- media ----

  /** Stores media as if uploaded (also how the fan simulator hands the product a picture the fan "sent"). */
  addMedia(init: { type: string; contentType: string; fileName: string; data: Buffer }): FakeMedia {
    const media: FakeMedia = { mediaId: randomBytes(24).toString("base64url"), ...init, createdAt: this.clock.now() };
    this.media.set(media.mediaId, media);
    return media;
  }

  /** Media that has not yet expired (WeChat keeps temporary media 3 days). */
  findMedia(mediaId: string): FakeMedia | undefined {
    const media = this.media.get(mediaId);
    if (!media || media.createdAt.getTime() + MEDIA_TTL_MS <= this.now()) return undefined;
    return media;
  }

  // ---- web OAuth ----

  /** A code as WeChat would append to the redirect after the fan opened an H5 page. */
  issueOAuthCode(openId: string, options: { scope?: FakeOAuthCode["scope"]; snapshotUser?: boolean } = {}): string {
    const code = randomBytes(16).toString("hex");
    this.oauthCodes.set(code, {
      openId,
      scope: options.scope ?? "snsapi_base",
      snapshotUser: options.snapshotUser ?? false,
      expiresAt: new Date(this.now() + OAUTH_CODE_TTL_MS),
      used: false,
    });
    return code;
  }

  /** Redeems a code once: unknown or expired → 40029, already used → 40163. */
  redeemOAuthCode(code: string): FakeOAuthCode | number {
    const issued = this.oauthCodes.get(code);
    if (!issued || issued.expiresAt.getTime() <= this.now()) return 40029;
    if (issued.used) return 40163;
    issued.used = true;
    return issued;
  }

  issueJsapiTicket(): string {
    this.jsapiTicket = randomBytes(64).toString("base64url");
    return this.jsapiTicket;
  }

  /** Forgets everything but the account's credentials and options. */
  reset(): void {
    this.requestCounts.clear();
    this.fans.clear();
    this.sent.length = 0;
    this.typingEvents.length = 0;
    this.menu = null;
    this.qrCodes.clear();
    this.media.clear();
    this.oauthCodes.clear();
    this.jsapiTicket = null;
    this.tokens.clear();
    this.currentToken = null;
    this.faults.clear();
    this.seq = 0;
    this.templateCount = 0n;
    this.menuId = 0;
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}
