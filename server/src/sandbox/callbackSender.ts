import { randomBytes } from "node:crypto";
import { WechatCipher } from "../wechat/callback/crypto";
import { signatureMatches, sha1Signature } from "../wechat/callback/signature";
import { parseXml } from "../wechat/callback/xml";

/**
 * The WeChat side of the callback protocol, for the fan simulator: builds the XML WeChat would push,
 * signs it (and encrypts it in safe mode) and POSTs it to this server's own /wechat, then opens the
 * passive reply the way WeChat does. Nothing here knows about fans or the page.
 */

/** The official account's original id (gh_…) as the simulator addresses it. */
export const SANDBOX_ACCOUNT_ID = "gh_sandbox0001";

/** WeChat waits 5 s for the passive reply before it gives up on the push. */
const CALLBACK_TIMEOUT_MS = 5000;

/** One element of the pushed XML: strings go into CDATA, numbers are written bare (as WeChat does). */
export type XmlFieldValue = string | number | bigint;

export interface CallbackSenderOptions {
  token: string;
  appId: string;
  /** Current EncodingAESKey first; empty = plaintext mode. */
  aesKeys: string[];
  timeoutMs?: number;
}

/** How /wechat answered one push. `reply` holds the passive reply's fields (decrypted), null for "success". */
export type CallbackOutcome =
  | { ok: true; status: number; reply: Record<string, unknown> | null }
  | { ok: false; status: number | null; error: string };

export class CallbackSender {
  private readonly cipher?: WechatCipher;
  private readonly timeoutMs: number;

  constructor(private readonly options: CallbackSenderOptions) {
    this.cipher = options.aesKeys.length > 0 ? new WechatCipher(options.appId, options.aesKeys) : undefined;
    this.timeoutMs = options.timeoutMs ?? CALLBACK_TIMEOUT_MS;
  }

  get safeMode(): boolean {
    return this.cipher !== undefined;
  }

  /**
   * Pushes one message from `fromUser` to `${baseUrl}/wechat`. `fields` follow the common header
   * (ToUserName, FromUserName, CreateTime) in the order given, starting with MsgType.
   */
  async push(baseUrl: string, fromUser: string, createTime: number, fields: Record<string, XmlFieldValue>): Promise<CallbackOutcome> {
    const plainXml = buildMessageXml({ ToUserName: SANDBOX_ACCOUNT_ID, FromUserName: fromUser, CreateTime: createTime, ...fields });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = String(randomBytes(4).readUInt32BE());
    const query = new URLSearchParams({ signature: sha1Signature(this.options.token, timestamp, nonce), timestamp, nonce, openid: fromUser });
    let body = plainXml;
    if (this.cipher) {
      const encrypted = this.cipher.encrypt(plainXml);
      body = buildMessageXml({ ToUserName: SANDBOX_ACCOUNT_ID, Encrypt: encrypted });
      query.set("encrypt_type", "aes");
      query.set("msg_signature", sha1Signature(this.options.token, timestamp, nonce, encrypted));
    }

    let response: Response;
    let text: string;
    try {
      response = await fetch(`${baseUrl}/wechat?${query}`, {
        method: "POST",
        headers: { "content-type": "text/xml; charset=utf-8" },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const timedOut = (error as Error).name === "TimeoutError";
      return {
        ok: false,
        status: null,
        error: timedOut ? `公众号服务器 ${this.timeoutMs / 1000} 秒内没有响应` : `无法连接公众号服务器：${(error as Error).message}`,
      };
    }
    if (response.status !== 200) {
      return { ok: false, status: response.status, error: `/wechat 返回 HTTP ${response.status}：${text.slice(0, 200)}` };
    }
    try {
      return { ok: true, status: 200, reply: await this.openReply(text) };
    } catch (error) {
      return { ok: false, status: 200, error: `被动回复无法解析：${(error as Error).message}` };
    }
  }

  /** The passive reply's fields, or null for WeChat's "no reply" answers ("success" or an empty body). */
  private async openReply(text: string): Promise<Record<string, unknown> | null> {
    const trimmed = text.trim();
    if (trimmed === "" || trimmed === "success") return null;
    const envelope = await parseXml(trimmed);
    if (!this.cipher) return envelope;
    // WeChat drops a safe-mode reply that is not sealed with the account's key, so the simulator does too.
    const encrypted = envelope.Encrypt;
    if (typeof encrypted !== "string") throw new Error("安全模式下的回复没有加密（缺少 Encrypt）");
    const timestamp = typeof envelope.TimeStamp === "string" ? envelope.TimeStamp : "";
    const nonce = typeof envelope.Nonce === "string" ? envelope.Nonce : "";
    const msgSignature = typeof envelope.MsgSignature === "string" ? envelope.MsgSignature : undefined;
    if (!signatureMatches(msgSignature, this.options.token, timestamp, nonce, encrypted)) throw new Error("MsgSignature 校验失败");
    return parseXml(this.cipher.decrypt(encrypted).message);
  }
}

/** `<xml>` with one element per field, in order. */
export function buildMessageXml(fields: Record<string, XmlFieldValue>): string {
  const elements = Object.entries(fields).map(([name, value]) => `<${name}>${typeof value === "string" ? cdata(value) : String(value)}</${name}>`);
  return `<xml>${elements.join("")}</xml>`;
}

// Characters XML 1.0 forbids even inside CDATA; a pasted control character must not break the push.
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function cdata(value: string): string {
  return `<![CDATA[${value.replace(XML_FORBIDDEN, "").split("]]>").join("]]]]><![CDATA[>")}]]>`;
}

let lastMsgId = 0n;

/**
 * A MsgId shaped like WeChat's: above 2^53, so a client that parses it as a JS number loses digits.
 * Time-based so ids stay unique across restarts, since the inbox deduplicates on them for good.
 */
export function nextMsgId(now = Date.now()): bigint {
  const candidate = 2n ** 53n + BigInt(now) * 1000n;
  lastMsgId = candidate > lastMsgId ? candidate : lastMsgId + 1n;
  return lastMsgId;
}
