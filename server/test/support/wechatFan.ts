import { createHash, randomBytes } from "node:crypto";
// The independent implementation (node-webot's), so our crypto is never only tested against itself.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const WXBizMsgCrypt = require("wechat-crypto");

export interface CallbackTarget {
  url: string; // server base URL
  token: string;
  appId: string;
  aesKey?: string; // set = safe mode
}

let msgIdCounter = 0n;
/** MsgIds above 2^53, distinct per call. */
export function nextMsgId(): string {
  msgIdCounter++;
  return (9007199254740993n + BigInt(Date.now()) * 1000n + msgIdCounter).toString();
}

export function sign(...parts: string[]): string {
  return createHash("sha1").update(parts.sort().join("")).digest("hex");
}

export function textXml(fields: { from: string; content: string; msgId: string; createTime?: number; to?: string }): string {
  return `<xml><ToUserName><![CDATA[${fields.to ?? "gh_test"}]]></ToUserName><FromUserName><![CDATA[${fields.from}]]></FromUserName><CreateTime>${fields.createTime ?? Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${fields.content}]]></Content><MsgId>${fields.msgId}</MsgId></xml>`;
}

export function eventXml(fields: { from: string; event: string; createTime: number; eventKey?: string; extra?: string }): string {
  return `<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[${fields.from}]]></FromUserName><CreateTime>${fields.createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${fields.event}]]></Event>${fields.eventKey !== undefined ? `<EventKey><![CDATA[${fields.eventKey}]]></EventKey>` : ""}${fields.extra ?? ""}</xml>`;
}

export interface CallbackResponse {
  status: number;
  body: string;
  /** The reply XML, decrypted with the independent implementation in safe mode. */
  replyXml?: string;
}

/** Sends XML to /wechat the way WeChat does: signed query, encrypted body in safe mode. */
export async function deliver(target: CallbackTarget, xml: string, tamper: { signature?: string } = {}): Promise<CallbackResponse> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(randomBytes(4).readUInt32BE());
  const signature = tamper.signature ?? sign(target.token, timestamp, nonce);
  let body = xml;
  let query = `signature=${signature}&timestamp=${timestamp}&nonce=${nonce}&openid=ofan`;
  let crypter: { encrypt(s: string): string; decrypt(s: string): { message: string }; getSignature(t: string, n: string, e: string): string } | undefined;
  if (target.aesKey) {
    crypter = new WXBizMsgCrypt(target.token, target.aesKey, target.appId);
    const encrypted = crypter!.encrypt(xml);
    const msgSignature = tamper.signature ?? crypter!.getSignature(timestamp, nonce, encrypted);
    body = `<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
    query += `&encrypt_type=aes&msg_signature=${msgSignature}`;
  }
  const response = await fetch(`${target.url}/wechat?${query}`, { method: "POST", headers: { "content-type": "text/xml" }, body });
  const text = await response.text();
  const result: CallbackResponse = { status: response.status, body: text };
  if (crypter && response.status === 200 && text.startsWith("<xml>")) {
    const encrypt = /<Encrypt><!\[CDATA\[(.*?)\]\]><\/Encrypt>/.exec(text)![1];
    const msgSignature = /<MsgSignature><!\[CDATA\[(.*?)\]\]><\/MsgSignature>/.exec(text)![1];
    const ts = /<TimeStamp>(.*?)<\/TimeStamp>/.exec(text)![1];
    const replyNonce = /<Nonce><!\[CDATA\[(.*?)\]\]><\/Nonce>/.exec(text)![1];
    if (crypter.getSignature(ts, replyNonce, encrypt) !== msgSignature) throw new Error("reply MsgSignature does not verify");
    result.replyXml = crypter.decrypt(encrypt).message;
  } else if (response.status === 200 && text.startsWith("<xml>")) {
    result.replyXml = text;
  }
  return result;
}

/** The Content of a passive text reply, or null when the callback answered `success`. */
export function replyText(response: CallbackResponse): string | null {
  return /<Content><!\[CDATA\[([\s\S]*?)\]\]><\/Content>/.exec(response.replyXml ?? "")?.[1] ?? null;
}
