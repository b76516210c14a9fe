import { createHash } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import Koa from "koa";
import pino from "pino";
import type { InboundMessage, PassiveReply } from "./messages";
import { createWechatCallbackRouter, type CallbackHandler, type WechatCallbackRouterOptions } from "./router";
import { V4 } from "./vectors.fixture";
import { parseXml } from "./xml";

interface ReferenceCrypt {
  encrypt(text: string): string;
  decrypt(text: string): { message: string; id: string };
  getSignature(timestamp: string, nonce: string, encrypt: string): string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const WXBizMsgCrypt: new (token: string, encodingAesKey: string, appId: string) => ReferenceCrypt = require("wechat-crypto");

const TOKEN = V4.token;
const APP_ID = V4.appId;
const ACCOUNT = "gh_97417a04a28d";
const FAN = "o9AgO5Kd5ggOC-bXrbNODIiE3bGY";
const NOW = 1714112500;
const TIMESTAMP = "1714112445";
const NONCE = "415670741";

/** Written independently of signature.ts so the router is not checked against itself. */
function plainSignature(...parts: string[]): string {
  return createHash("sha1").update(parts.sort().join("")).digest("hex");
}

class RecordingHandler implements CallbackHandler {
  calls: InboundMessage[] = [];
  reply: PassiveReply | null = null;
  failure: Error | undefined;

  async handle(message: InboundMessage): Promise<PassiveReply | null> {
    this.calls.push(message);
    if (this.failure) throw this.failure;
    return this.reply;
  }
}

interface LogLine {
  level: number;
  msg: string;
  reason?: string;
  remoteAddress?: string;
  err?: { message: string };
}

/** A running app on an ephemeral port with a recording handler and captured log lines. */
async function startCallbackServer(overrides: Partial<WechatCallbackRouterOptions> = {}) {
  const handler = new RecordingHandler();
  const logs: LogLine[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => logs.push(JSON.parse(line) as LogLine) });
  const router = createWechatCallbackRouter({
    token: TOKEN,
    appId: APP_ID,
    encodingAesKeys: [V4.encodingAesKey],
    handler,
    logger,
    clockSeconds: () => NOW,
    ...overrides,
  });
  const app = new Koa();
  app.use(router.routes()).use(router.allowedMethods());
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wechat`;
  return {
    handler,
    logs,
    url: (query: Record<string, string>) => `${baseUrl}?${new URLSearchParams(query)}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

type CallbackServer = Awaited<ReturnType<typeof startCallbackServer>>;

function plainQuery(): Record<string, string> {
  return { signature: plainSignature(TOKEN, TIMESTAMP, NONCE), timestamp: TIMESTAMP, nonce: NONCE, openid: FAN };
}

function encryptedQuery(encrypt: string): Record<string, string> {
  const reference = new WXBizMsgCrypt(TOKEN, V4.encodingAesKey, APP_ID);
  return { ...plainQuery(), encrypt_type: "aes", msg_signature: reference.getSignature(TIMESTAMP, NONCE, encrypt) };
}

function textXml(content: string, msgId = "24580000000000001"): string {
  return (
    `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${FAN}]]></FromUserName>` +
    `<CreateTime>${TIMESTAMP}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
    `<Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`
  );
}

function safeEnvelope(encrypt: string): string {
  return `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
}

function post(url: string, body: string): Promise<Response> {
  return fetch(url, { method: "POST", body, headers: { "content-type": "text/xml" } });
}

function warnings(logs: LogLine[]): LogLine[] {
  return logs.filter((line) => line.level === 40);
}

/** The refusal contract: status, a short English body, one warn line naming the reason and the caller, no handler call. */
async function expectRefused(callback: CallbackServer, response: Response, status: number, reason: string): Promise<void> {
  expect(response.status).toBe(status);
  const body = await response.text();
  expect(body.length).toBeGreaterThan(0);
  expect(body.length).toBeLessThan(80);
  expect(warnings(callback.logs)).toEqual([expect.objectContaining({ reason, remoteAddress: expect.stringContaining("127.0.0.1") })]);
  expect(callback.handler.calls).toHaveLength(0);
}

describe("WeChat callback router", () => {
  let callback: CallbackServer;
  const reference = new WXBizMsgCrypt(TOKEN, V4.encodingAesKey, APP_ID);

  beforeAll(async () => {
    callback = await startCallbackServer();
  });
  afterAll(async () => {
    await callback.close();
  });
  beforeEach(() => {
    callback.handler.calls = [];
    callback.handler.reply = null;
    callback.handler.failure = undefined;
    callback.logs.length = 0;
  });

  describe("GET server URL verification", () => {
    it("echoes echostr as plain text when the signature is right", async () => {
      const response = await fetch(callback.url({ ...plainQuery(), echostr: "4375120948345356249" }));
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
      expect(await response.text()).toBe("4375120948345356249");
    });

    it("answers 401 without echoing when the signature is wrong", async () => {
      const query = { ...plainQuery(), signature: plainSignature("other-token", TIMESTAMP, NONCE), echostr: "4375120948345356249" };
      const response = await fetch(callback.url(query));
      await expectRefused(callback, response, 401, "bad_signature");
    });

    it("answers 401 when the signature is missing", async () => {
      const response = await fetch(callback.url({ timestamp: TIMESTAMP, nonce: NONCE, echostr: "1" }));
      await expectRefused(callback, response, 401, "bad_signature");
    });
  });

  describe("POST in plaintext mode", () => {
    it("hands the typed message to the handler once and answers success", async () => {
      const xml = textXml("水表漏水");
      const response = await post(callback.url(plainQuery()), xml);

      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
      expect(await response.text()).toBe("success");
      expect(callback.handler.calls).toEqual([
        {
          kind: "text",
          toUserName: ACCOUNT,
          fromUserName: FAN,
          createTime: Number(TIMESTAMP),
          msgId: "24580000000000001",
          content: "水表漏水",
          dedupeKey: "msg:24580000000000001",
          rawXml: xml,
        },
      ]);
      expect(warnings(callback.logs)).toEqual([]);
    });

    it("answers with the handler's text reply addressed back to the fan", async () => {
      callback.handler.reply = { type: "text", content: "您好，请稍候" };
      const response = await post(callback.url(plainQuery()), textXml("你好"));

      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/xml/);
      expect(await parseXml(await response.text())).toEqual({
        ToUserName: FAN,
        FromUserName: ACCOUNT,
        CreateTime: String(NOW),
        MsgType: "text",
        Content: "您好，请稍候",
      });
    });

    it("answers with the handler's news reply", async () => {
      callback.handler.reply = {
        type: "news",
        articles: [{ title: "本月水费", description: "点击查看", picUrl: "https://example.com/p.png", url: "https://example.com/bill" }],
      };
      const response = await post(callback.url(plainQuery()), textXml("账单"));

      expect(await parseXml(await response.text())).toMatchObject({
        ToUserName: FAN,
        MsgType: "news",
        ArticleCount: "1",
        Articles: { item: { Title: "本月水费", Description: "点击查看", PicUrl: "https://example.com/p.png", Url: "https://example.com/bill" } },
      });
    });

    it("refuses a wrong signature with 401 and never calls the handler", async () => {
      const query = { ...plainQuery(), signature: plainSignature(TOKEN, TIMESTAMP, "other-nonce") };
      await expectRefused(callback, await post(callback.url(query), textXml("hi")), 401, "bad_signature");
    });

    it("refuses malformed XML with 400", async () => {
      await expectRefused(callback, await post(callback.url(plainQuery()), "<xml><MsgType>text</MsgType>"), 400, "malformed_xml");
    });

    it("refuses a message without the common fields with 400", async () => {
      await expectRefused(callback, await post(callback.url(plainQuery()), "<xml><MsgType>text</MsgType></xml>"), 400, "malformed_xml");
    });

    it("refuses a DOCTYPE with 400", async () => {
      const xxe = `<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>`;
      await expectRefused(callback, await post(callback.url(plainQuery()), xxe), 400, "doctype_refused");
    });

    it("refuses a body one byte over 1 MiB with 413", async () => {
      const body = "<xml>" + " ".repeat(1024 * 1024 + 1 - "<xml></xml>".length) + "</xml>";
      expect(Buffer.byteLength(body)).toBe(1024 * 1024 + 1);
      await expectRefused(callback, await post(callback.url(plainQuery()), body), 413, "body_too_large");
    });

    it("refuses an oversized chunked body that announces no length with 413", async () => {
      const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 17; i++) controller.enqueue(chunk);
          controller.close();
        },
      });
      const response = await fetch(callback.url(plainQuery()), { method: "POST", body, duplex: "half" } as RequestInit);
      await expectRefused(callback, response, 413, "body_too_large");
    });

    it("reads a body of exactly 1 MiB", async () => {
      const padding = " ".repeat(1024 * 1024 - Buffer.byteLength(textXml("x")));
      const response = await post(callback.url(plainQuery()), textXml("x") + padding);
      expect(response.status).toBe(200);
      expect(callback.handler.calls).toHaveLength(1);
    });

    it("answers 500 and logs an error when the handler throws, so WeChat retries", async () => {
      callback.handler.failure = new Error("database unavailable");
      const response = await post(callback.url(plainQuery()), textXml("hi"));

      expect(response.status).toBe(500);
      expect(callback.handler.calls).toHaveLength(1);
      const errors = callback.logs.filter((line) => line.level === 50);
      expect(errors).toEqual([expect.objectContaining({ err: expect.objectContaining({ message: "database unavailable" }) })]);
    });

    it("answers 500 and logs an error when the handler's reply cannot be built", async () => {
      callback.handler.reply = { type: "news", articles: Array.from({ length: 9 }, () => ({ title: "t" })) };
      const response = await post(callback.url(plainQuery()), textXml("hi"));

      expect(response.status).toBe(500);
      expect(callback.logs.filter((line) => line.level === 50)).toHaveLength(1);
    });
  });

  describe("POST in safe mode", () => {
    it("decrypts a wechat-crypto request and answers success unencrypted when there is no reply", async () => {
      const xml = textXml("安全模式");
      const encrypt = reference.encrypt(xml);
      const response = await post(callback.url(encryptedQuery(encrypt)), safeEnvelope(encrypt));

      expect(response.status).toBe(200);
      expect(await response.text()).toBe("success");
      expect(callback.handler.calls).toEqual([expect.objectContaining({ kind: "text", content: "安全模式", rawXml: xml })]);
    });

    it("seals the reply so wechat-crypto opens it and its MsgSignature verifies", async () => {
      callback.handler.reply = { type: "text", content: "已收到" };
      const encrypt = reference.encrypt(textXml("hello"));
      const response = await post(callback.url(encryptedQuery(encrypt)), safeEnvelope(encrypt));

      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/xml/);
      const sealed = await parseXml(await response.text());
      expect(sealed).toMatchObject({ TimeStamp: String(NOW), Nonce: NONCE });
      const sealedEncrypt = sealed.Encrypt as string;
      expect(sealed.MsgSignature).toBe(reference.getSignature(String(NOW), NONCE, sealedEncrypt));
      const opened = reference.decrypt(sealedEncrypt);
      expect(opened.id).toBe(APP_ID);
      expect(await parseXml(opened.message)).toEqual({
        ToUserName: FAN,
        FromUserName: ACCOUNT,
        CreateTime: String(NOW),
        MsgType: "text",
        Content: "已收到",
      });
    });

    it("refuses a wrong msg_signature with 401 even when the plain signature is right", async () => {
      const encrypt = reference.encrypt(textXml("hi"));
      const query = { ...encryptedQuery(encrypt), msg_signature: plainSignature(TOKEN, TIMESTAMP, NONCE) };
      await expectRefused(callback, await post(callback.url(query), safeEnvelope(encrypt)), 401, "bad_signature");
    });

    it("refuses a message sealed for another app with 400", async () => {
      const encrypt = new WXBizMsgCrypt(TOKEN, V4.encodingAesKey, "wx0000000000000000").encrypt(textXml("hi"));
      await expectRefused(callback, await post(callback.url(encryptedQuery(encrypt)), safeEnvelope(encrypt)), 400, "appid_mismatch");
    });

    it("refuses an undecryptable Encrypt with 400", async () => {
      const encrypt = Buffer.alloc(64, 7).toString("base64");
      await expectRefused(callback, await post(callback.url(encryptedQuery(encrypt)), safeEnvelope(encrypt)), 400, "undecryptable");
    });

    it("refuses an envelope without Encrypt with 400", async () => {
      const body = `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName></xml>`;
      await expectRefused(callback, await post(callback.url(encryptedQuery("")), body), 400, "missing_encrypt");
    });

    it("refuses a DOCTYPE in the envelope and in the decrypted message with 400", async () => {
      const envelope = `<!DOCTYPE xml [<!ENTITY a "b">]>${safeEnvelope("AAAA")}`;
      await expectRefused(callback, await post(callback.url(encryptedQuery("AAAA")), envelope), 400, "doctype_refused");

      callback.logs.length = 0;
      const encrypt = reference.encrypt(`<!DOCTYPE xml [<!ENTITY a "b">]>${textXml("&a;")}`);
      await expectRefused(callback, await post(callback.url(encryptedQuery(encrypt)), safeEnvelope(encrypt)), 400, "doctype_refused");
    });
  });

  describe("POST in compatible mode", () => {
    it("trusts only the decrypted copy of the message", async () => {
      const encrypt = reference.encrypt(textXml("真实内容", "24580000000000002"));
      const body = textXml("forged plain copy", "1").replace("</xml>", `<Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`);
      const response = await post(callback.url(encryptedQuery(encrypt)), body);

      expect(response.status).toBe(200);
      expect(callback.handler.calls).toEqual([expect.objectContaining({ content: "真实内容", msgId: "24580000000000002" })]);
    });
  });
});

describe("WeChat callback router without an AES key", () => {
  it("refuses an encrypted request with 400 aes_not_configured", async () => {
    const callback = await startCallbackServer({ encodingAesKeys: [] });
    try {
      const encrypt = new WXBizMsgCrypt(TOKEN, V4.encodingAesKey, APP_ID).encrypt(textXml("hi"));
      await expectRefused(callback, await post(callback.url(encryptedQuery(encrypt)), safeEnvelope(encrypt)), 400, "aes_not_configured");
    } finally {
      await callback.close();
    }
  });
});

describe("WeChat callback router during a key rotation", () => {
  it("opens a request sealed with the previous key and seals the reply with that same key", async () => {
    const previousKey = "zyxwvutsrqponmlkjihgfedcba9876543210ZYXWVUT";
    const callback = await startCallbackServer({ encodingAesKeys: ["0123456789abcdefghijklmnopqrstuvwxyzABCDEFG", previousKey] });
    try {
      callback.handler.reply = { type: "text", content: "ok" };
      const previous = new WXBizMsgCrypt(TOKEN, previousKey, APP_ID);
      const encrypt = previous.encrypt(textXml("in flight"));
      const query = { ...plainQuery(), encrypt_type: "aes", msg_signature: previous.getSignature(TIMESTAMP, NONCE, encrypt) };
      const response = await post(callback.url(query), safeEnvelope(encrypt));

      expect(response.status).toBe(200);
      const sealed = await parseXml(await response.text());
      expect(previous.decrypt(sealed.Encrypt as string)).toMatchObject({ id: APP_ID });
    } finally {
      await callback.close();
    }
  });
});
