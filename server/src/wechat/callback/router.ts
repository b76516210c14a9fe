import Router from "@koa/router";
import type { Context } from "koa";
import type { Logger } from "pino";
import getRawBody from "raw-body";
import { WechatCipher } from "./crypto";
import { CallbackError } from "./errors";
import type { InboundMessage, PassiveReply } from "./messages";
import { signatureMatches } from "./signature";
import { buildEncryptedReply, buildPassiveReply, parseXml, toInboundMessage } from "./xml";

export interface CallbackHandler {
  /** Persist (dedupe) the message and decide the passive reply; null = answer "success". Throwing = 500/WeChat retries. */
  handle(message: InboundMessage): Promise<PassiveReply | null>;
}

export interface WechatCallbackRouterOptions {
  token: string;
  appId: string;
  /** Current key first, then the previous one; empty when the account runs in plaintext mode only. */
  encodingAesKeys: string[];
  handler: CallbackHandler;
  logger: Logger;
  /** Default 1 MiB; real callbacks are a few KiB, so anything bigger is not from WeChat. */
  bodyLimitBytes?: number;
  clockSeconds?: () => number;
}

const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
const PATH = "/wechat";

/** A request that passed every check: the typed message and, in encrypted mode, how to seal the reply. */
interface VerifiedCallback {
  message: InboundMessage;
  /** The key index the request was decrypted with; undefined in plaintext mode. */
  keyIndex?: number;
}

/**
 * The official account's callback endpoint: GET verifies the server URL, POST receives messages and events in
 * plaintext, compatible or safe mode. Bad input gets a 4xx with one warn line; only a handler failure is a 500,
 * since that is the one case where WeChat retrying can help.
 */
export function createWechatCallbackRouter(options: WechatCallbackRouterOptions): Router {
  const { token, handler, logger } = options;
  const bodyLimitBytes = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const clockSeconds = options.clockSeconds ?? (() => Math.floor(Date.now() / 1000));
  const cipher = options.encodingAesKeys.length > 0 ? new WechatCipher(options.appId, options.encodingAesKeys) : undefined;
  const router = new Router();

  function reject(ctx: Context, error: CallbackError): void {
    logger.warn({ reason: error.reason, remoteAddress: ctx.ip, method: ctx.method }, "wechat callback rejected");
    ctx.status = error.status;
    // Otherwise Node drains the rest of an oversized upload to keep the connection alive.
    if (error.reason === "body_too_large") ctx.set("Connection", "close");
    ctx.type = "text/plain";
    ctx.body = error.message;
  }

  // Our fault, not the caller's: a 500 makes WeChat retry, which is what we want after a transient failure.
  function fail(ctx: Context, error: unknown, logMessage: string, context: Record<string, unknown> = {}): void {
    logger.error({ err: error, ...context }, logMessage);
    ctx.status = 500;
    ctx.type = "text/plain";
    ctx.body = "internal error";
  }

  async function readBody(ctx: Context): Promise<string> {
    try {
      return await getRawBody(ctx.req, { limit: bodyLimitBytes, length: ctx.get("content-length") || undefined, encoding: "utf8" });
    } catch (error) {
      const type = (error as { type?: unknown }).type;
      if (type === "entity.too.large") throw new CallbackError(413, "body_too_large");
      throw new CallbackError(400, "body_unreadable");
    }
  }

  async function verifyPlain(ctx: Context, body: string): Promise<VerifiedCallback> {
    if (!signatureMatches(query(ctx, "signature"), token, query(ctx, "timestamp") ?? "", query(ctx, "nonce") ?? "")) {
      throw new CallbackError(401, "bad_signature");
    }
    return { message: toInboundMessage(await parseXml(body), body) };
  }

  // Safe and compatible mode alike: compatible mode's plain copy of the fields is not covered by msg_signature,
  // so only the decrypted copy is trusted.
  async function verifyEncrypted(ctx: Context, body: string): Promise<VerifiedCallback> {
    // The envelope must be parsed to find Encrypt (a regex could be fooled by a fan's text quoting
    // `<Encrypt>` in compatible mode); parseXml refuses DTDs before the parser sees them.
    const envelope = await parseXml(body);
    const encrypted = envelope.Encrypt;
    if (typeof encrypted !== "string" || encrypted === "") throw new CallbackError(400, "missing_encrypt");
    const timestamp = query(ctx, "timestamp") ?? "";
    const nonce = query(ctx, "nonce") ?? "";
    if (!signatureMatches(query(ctx, "msg_signature"), token, timestamp, nonce, encrypted)) {
      throw new CallbackError(401, "bad_signature");
    }
    if (!cipher) throw new CallbackError(400, "aes_not_configured");
    const { message: plainXml, keyIndex } = cipher.decrypt(encrypted);
    return { message: toInboundMessage(await parseXml(plainXml), plainXml), keyIndex };
  }

  /** Addressed back to the sender; sealed with the request's key when the request came encrypted. */
  function renderReply(reply: PassiveReply, message: InboundMessage, keyIndex: number | undefined, nonce: string): string {
    const now = clockSeconds();
    const plainReply = buildPassiveReply(reply, message.fromUserName, message.toUserName, now);
    return keyIndex === undefined || !cipher ? plainReply : buildEncryptedReply(cipher, token, plainReply, String(now), nonce, keyIndex);
  }

  router.get(PATH, (ctx) => {
    const timestamp = query(ctx, "timestamp") ?? "";
    const nonce = query(ctx, "nonce") ?? "";
    if (!signatureMatches(query(ctx, "signature"), token, timestamp, nonce)) {
      reject(ctx, new CallbackError(401, "bad_signature"));
      return;
    }
    ctx.type = "text/plain";
    ctx.body = query(ctx, "echostr") ?? "";
  });

  router.post(PATH, async (ctx) => {
    let verified: VerifiedCallback;
    try {
      const body = await readBody(ctx);
      verified = query(ctx, "encrypt_type") === "aes" ? await verifyEncrypted(ctx, body) : await verifyPlain(ctx, body);
    } catch (error) {
      if (error instanceof CallbackError) reject(ctx, error);
      else fail(ctx, error, "wechat callback verification failed");
      return;
    }

    const { message, keyIndex } = verified;
    let replyXml: string | null;
    try {
      const reply = await handler.handle(message);
      replyXml = reply === null ? null : renderReply(reply, message, keyIndex, query(ctx, "nonce") ?? "");
    } catch (error) {
      fail(ctx, error, "wechat callback handling failed", { dedupeKey: message.dedupeKey, kind: message.kind });
      return;
    }

    if (replyXml === null) {
      // WeChat's documented "no reply" acknowledgement; it needs no encryption even in safe mode.
      ctx.type = "text/plain";
      ctx.body = "success";
    } else {
      ctx.type = "application/xml";
      ctx.body = replyXml;
    }
  });

  return router;
}

/** A query parameter given exactly once; a repeated parameter is treated as absent rather than guessed at. */
function query(ctx: Context, name: string): string | undefined {
  const value = ctx.query[name];
  return typeof value === "string" ? value : undefined;
}
