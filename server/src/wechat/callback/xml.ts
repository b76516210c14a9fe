import { parseStringPromise } from "xml2js";
import type { WechatCipher } from "./crypto";
import { CallbackError } from "./errors";
import type { InboundMessage, NewsArticle, PassiveReply } from "./messages";
import { sha1Signature } from "./signature";

type Fields = Record<string, unknown>;

// WeChat never sends a DTD, so any declaration is an attack (XXE, entity expansion) or junk; refusing it
// outright means we never depend on the parser's entity handling being safe.
const DTD_DECLARATION = /<!(?:DOCTYPE|ENTITY)/i;
const XML2JS_OPTIONS = { explicitArray: false, trim: true, ignoreAttrs: true, explicitRoot: true } as const;

/** The children of the `<xml>` root as strings (or nested objects/arrays for structured or repeated elements). */
export async function parseXml(xml: string): Promise<Fields> {
  if (DTD_DECLARATION.test(xml)) throw new CallbackError(400, "doctype_refused");
  let document: unknown;
  try {
    document = await parseStringPromise(xml, XML2JS_OPTIONS);
  } catch {
    throw new CallbackError(400, "malformed_xml");
  }
  if (typeof document !== "object" || document === null || !Object.hasOwn(document, "xml")) {
    throw new CallbackError(400, "malformed_xml");
  }
  const root = (document as { xml: unknown }).xml;
  // `<xml></xml>` and `<xml>text</xml>` come back as strings: a root without fields, which callers reject.
  return typeof root === "object" && root !== null && !Array.isArray(root) ? (root as Fields) : {};
}

interface Envelope {
  toUserName: string;
  fromUserName: string;
  createTime: number;
  rawXml: string;
}

/**
 * Types a parsed callback. Only the four common fields are mandatory (400 'malformed_xml' otherwise): a known
 * MsgType/Event lacking a field its type needs is delivered as 'unknown' instead, because a 400 makes WeChat
 * retry and then drop the message, while 'unknown' is still stored raw and acknowledged.
 */
export function toInboundMessage(fields: Fields, rawXml: string): InboundMessage {
  const toUserName = nonEmpty(fields, "ToUserName");
  const fromUserName = nonEmpty(fields, "FromUserName");
  const createTimeText = nonEmpty(fields, "CreateTime");
  const msgType = nonEmpty(fields, "MsgType");
  if (!toUserName || !fromUserName || !createTimeText || !msgType || !/^\d{1,15}$/.test(createTimeText)) {
    throw new CallbackError(400, "malformed_xml", "ToUserName, FromUserName, CreateTime and MsgType are required");
  }
  const envelope: Envelope = { toUserName, fromUserName, createTime: Number(createTimeText), rawXml };

  if (msgType === "event") {
    const event = text(fields, "Event");
    // CreateTime as sent, not re-formatted, so a retry of the same push always yields the same key.
    const dedupeKey = `evt:${fromUserName}:${createTimeText}:${event ?? ""}`;
    const typed = event === undefined ? undefined : toEvent(fields, event, { ...envelope, dedupeKey });
    return typed ?? toUnknown(fields, envelope, dedupeKey, msgType, event);
  }

  const msgId = nonEmpty(fields, "MsgId");
  if (msgId === undefined) {
    return toUnknown(fields, envelope, `evt:${fromUserName}:${createTimeText}:${msgType}`, msgType, undefined);
  }
  const dedupeKey = `msg:${msgId}`;
  return toMessage(fields, msgType, { ...envelope, dedupeKey, msgId }) ?? toUnknown(fields, envelope, dedupeKey, msgType, undefined);
}

function toMessage(fields: Fields, msgType: string, base: Envelope & { dedupeKey: string; msgId: string }): InboundMessage | undefined {
  switch (msgType) {
    case "text": {
      const content = text(fields, "Content");
      if (content === undefined) return undefined;
      const bizMsgMenuId = text(fields, "bizmsgmenuid");
      return bizMsgMenuId === undefined ? { ...base, kind: "text", content } : { ...base, kind: "text", content, bizMsgMenuId };
    }
    case "image": {
      const picUrl = text(fields, "PicUrl");
      const mediaId = text(fields, "MediaId");
      if (picUrl === undefined || mediaId === undefined) return undefined;
      return { ...base, kind: "image", picUrl, mediaId };
    }
    case "voice": {
      const mediaId = text(fields, "MediaId");
      const format = text(fields, "Format");
      if (mediaId === undefined || format === undefined) return undefined;
      // Present (possibly empty) only when the account has voice recognition switched on.
      const recognition = text(fields, "Recognition");
      return recognition === undefined ? { ...base, kind: "voice", mediaId, format } : { ...base, kind: "voice", mediaId, format, recognition };
    }
    case "video":
    case "shortvideo": {
      const mediaId = text(fields, "MediaId");
      const thumbMediaId = text(fields, "ThumbMediaId");
      if (mediaId === undefined || thumbMediaId === undefined) return undefined;
      return { ...base, kind: msgType, mediaId, thumbMediaId };
    }
    case "location": {
      const latitude = decimal(fields, "Location_X");
      const longitude = decimal(fields, "Location_Y");
      const scale = decimal(fields, "Scale");
      const label = text(fields, "Label");
      if (latitude === undefined || longitude === undefined || scale === undefined || label === undefined) return undefined;
      return { ...base, kind: "location", latitude, longitude, scale, label };
    }
    case "link": {
      const title = text(fields, "Title");
      const description = text(fields, "Description");
      const url = text(fields, "Url");
      if (title === undefined || description === undefined || url === undefined) return undefined;
      return { ...base, kind: "link", title, description, url };
    }
    default:
      return undefined;
  }
}

const QR_SCENE_PREFIX = "qrscene_";

function toEvent(fields: Fields, event: string, base: Envelope & { dedupeKey: string }): InboundMessage | undefined {
  // Documented names are mixed-case (SCAN, subscribe); matched case-insensitively as wechatpy and WxJava do.
  switch (event.toLowerCase()) {
    case "subscribe": {
      // Only a follow through a parametric QR code carries `qrscene_<scene>`; a plain follow sends an empty EventKey.
      const eventKey = text(fields, "EventKey");
      const sceneKey = eventKey?.startsWith(QR_SCENE_PREFIX) ? eventKey.slice(QR_SCENE_PREFIX.length) : undefined;
      const ticket = nonEmpty(fields, "Ticket");
      return {
        ...base,
        kind: "subscribe",
        ...(sceneKey === undefined ? {} : { sceneKey }),
        ...(ticket === undefined ? {} : { ticket }),
      };
    }
    case "unsubscribe":
      return { ...base, kind: "unsubscribe" };
    case "scan": {
      const sceneKey = text(fields, "EventKey");
      if (sceneKey === undefined) return undefined;
      const ticket = nonEmpty(fields, "Ticket");
      return ticket === undefined ? { ...base, kind: "scan", sceneKey } : { ...base, kind: "scan", sceneKey, ticket };
    }
    case "location": {
      const latitude = decimal(fields, "Latitude");
      const longitude = decimal(fields, "Longitude");
      const precision = decimal(fields, "Precision");
      if (latitude === undefined || longitude === undefined || precision === undefined) return undefined;
      return { ...base, kind: "location_report", latitude, longitude, precision };
    }
    case "click": {
      const eventKey = text(fields, "EventKey");
      return eventKey === undefined ? undefined : { ...base, kind: "click", eventKey };
    }
    case "view": {
      const url = text(fields, "EventKey");
      if (url === undefined) return undefined;
      const menuId = nonEmpty(fields, "MenuId");
      return menuId === undefined ? { ...base, kind: "view", url } : { ...base, kind: "view", url, menuId };
    }
    case "templatesendjobfinish": {
      // This event spells it MsgID; MsgId is accepted too in case WeChat ever harmonises the spelling.
      const msgId = nonEmpty(fields, "MsgID") ?? nonEmpty(fields, "MsgId");
      const status = text(fields, "Status");
      if (msgId === undefined || status === undefined) return undefined;
      return { ...base, kind: "template_send_job_finish", msgId, status };
    }
    default:
      return undefined;
  }
}

function toUnknown(fields: Fields, envelope: Envelope, dedupeKey: string, msgType: string, event: string | undefined): InboundMessage {
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === "string" && name !== "__proto__") strings[name] = value;
  }
  return event === undefined
    ? { ...envelope, dedupeKey, kind: "unknown", msgType, fields: strings }
    : { ...envelope, dedupeKey, kind: "unknown", msgType, event, fields: strings };
}

/** A leaf element's text; undefined when absent, repeated or structured. */
function text(fields: Fields, name: string): string | undefined {
  const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
  return typeof value === "string" ? value : undefined;
}

function nonEmpty(fields: Fields, name: string): string | undefined {
  const value = text(fields, name);
  return value === "" ? undefined : value;
}

function decimal(fields: Fields, name: string): number | undefined {
  const value = nonEmpty(fields, name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

// Characters XML 1.0 forbids even inside CDATA; one stray control character from an agent's paste would make
// WeChat reject the whole reply.
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function cdata(value: string): string {
  const allowed = value.replace(XML_FORBIDDEN, "");
  // `]]>` cannot appear inside CDATA: close the section after `]]` and reopen it before `>`.
  const escaped = allowed.includes("]]>") ? allowed.split("]]>").join("]]]]><![CDATA[>") : allowed;
  return `<![CDATA[${escaped}]]>`;
}

const MAX_NEWS_ARTICLES = 8;

function newsItem(article: NewsArticle): string {
  return (
    `<item><Title>${cdata(article.title)}</Title><Description>${cdata(article.description ?? "")}</Description>` +
    `<PicUrl>${cdata(article.picUrl ?? "")}</PicUrl><Url>${cdata(article.url ?? "")}</Url></item>`
  );
}

function replyBody(reply: PassiveReply): string {
  switch (reply.type) {
    case "text":
      return `<MsgType><![CDATA[text]]></MsgType><Content>${cdata(reply.content)}</Content>`;
    case "image":
      return `<MsgType><![CDATA[image]]></MsgType><Image><MediaId>${cdata(reply.mediaId)}</MediaId></Image>`;
    case "news": {
      const count = reply.articles.length;
      // WeChat silently shows nothing for an out-of-range count; failing loudly points at the caller's bug.
      if (count < 1 || count > MAX_NEWS_ARTICLES) throw new RangeError(`news reply needs 1..8 articles, got ${count}`);
      return `<MsgType><![CDATA[news]]></MsgType><ArticleCount>${count}</ArticleCount><Articles>${reply.articles.map(newsItem).join("")}</Articles>`;
    }
    case "transfer_customer_service":
      return reply.kfAccount === undefined
        ? "<MsgType><![CDATA[transfer_customer_service]]></MsgType>"
        : `<MsgType><![CDATA[transfer_customer_service]]></MsgType><TransInfo><KfAccount>${cdata(reply.kfAccount)}</KfAccount></TransInfo>`;
  }
}

/**
 * The passive reply XML. toUser is the fan's openid and fromUser the account's gh_ id (the reverse of the
 * inbound message). Built by string templates: this runs once per callback on the hot path.
 */
export function buildPassiveReply(reply: PassiveReply, toUser: string, fromUser: string, createTime: number): string {
  return (
    `<xml><ToUserName>${cdata(toUser)}</ToUserName><FromUserName>${cdata(fromUser)}</FromUserName>` +
    `<CreateTime>${Math.trunc(createTime)}</CreateTime>${replyBody(reply)}</xml>`
  );
}

/** Wraps a plain reply for safe/compatible mode; keyIndex is the key the request was decrypted with. */
export function buildEncryptedReply(
  cipher: WechatCipher,
  token: string,
  plainXml: string,
  timestamp: string,
  nonce: string,
  keyIndex = 0,
): string {
  const encrypted = cipher.encrypt(plainXml, undefined, keyIndex);
  const signature = sha1Signature(token, timestamp, nonce, encrypted);
  return (
    `<xml><Encrypt>${cdata(encrypted)}</Encrypt><MsgSignature>${cdata(signature)}</MsgSignature>` +
    `<TimeStamp>${timestamp}</TimeStamp><Nonce>${cdata(nonce)}</Nonce></xml>`
  );
}
