import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Koa from "koa";
import pino from "pino";
import type { InboundMessage, PassiveReply } from "../wechat/callback/messages";
import { createWechatCallbackRouter } from "../wechat/callback/router";
import { parseXml } from "../wechat/callback/xml";
import { CallbackSender, nextMsgId, SANDBOX_ACCOUNT_ID } from "./callbackSender";

/**
 * The simulator's pushes must be what WeChat sends: checked against an independent implementation of
 * the protocol (node-webot's wechat-crypto) and against our real /wechat router, in both modes.
 */

interface ReferenceCrypt {
  encrypt(text: string): string;
  decrypt(text: string): { message: string; id: string };
  getSignature(timestamp: string, nonce: string, encrypt: string): string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const WXBizMsgCrypt: new (token: string, encodingAesKey: string, appId: string) => ReferenceCrypt = require("wechat-crypto");

const TOKEN = "sandboxtoken";
const APP_ID = "wxsandbox00000001";
const AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const FAN = "oSandboxAbCdEfGhIjKlMnOpQrSt";

/** Written independently of signature.ts. */
function plainSignature(...parts: string[]): string {
  return createHash("sha1").update(parts.sort().join("")).digest("hex");
}

async function listen(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A stand-in /wechat that records the request and answers with `answer`. */
async function recordingEndpoint(answer: { status: number; body: string }) {
  const requests: { url: URL; body: string }[] = [];
  const endpoint = await listen((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      requests.push({ url: new URL(req.url ?? "/", "http://x"), body });
      res.writeHead(answer.status, { "content-type": "text/plain" }).end(answer.body);
    });
  });
  return { ...endpoint, requests };
}

/** Our real /wechat router with a handler whose reply each test sets. */
async function realCallbackServer(aesKeys: string[]) {
  const handled: InboundMessage[] = [];
  let reply: PassiveReply | null = null;
  let failure: Error | null = null;
  const router = createWechatCallbackRouter({
    token: TOKEN,
    appId: APP_ID,
    encodingAesKeys: aesKeys,
    logger: pino({ level: "silent" }),
    handler: {
      async handle(message) {
        handled.push(message);
        if (failure) throw failure;
        return reply;
      },
    },
  });
  const app = new Koa();
  app.use(router.routes());
  const server = await listen(app.callback());
  return {
    ...server,
    handled,
    replyWith: (next: PassiveReply | null) => (reply = next),
    failWith: (error: Error | null) => (failure = error),
  };
}

describe("what the simulator pushes", () => {
  test("plaintext mode: signed query, the message XML as the body", async () => {
    const endpoint = await recordingEndpoint({ status: 200, body: "success" });
    const sender = new CallbackSender({ token: TOKEN, appId: APP_ID, aesKeys: [] });
    try {
      const msgId = nextMsgId();
      const outcome = await sender.push(endpoint.url, FAN, 1_800_000_000, { MsgType: "text", Content: "你好 ]]> <b>", MsgId: msgId });
      expect(outcome).toEqual({ ok: true, status: 200, reply: null });

      const [request] = endpoint.requests;
      expect(request.url.pathname).toBe("/wechat");
      const query = request.url.searchParams;
      expect(query.get("signature")).toBe(plainSignature(TOKEN, query.get("timestamp")!, query.get("nonce")!));
      expect(query.get("openid")).toBe(FAN);
      expect(query.has("encrypt_type")).toBe(false);
      expect(await parseXml(request.body)).toEqual({
        ToUserName: SANDBOX_ACCOUNT_ID,
        FromUserName: FAN,
        CreateTime: "1800000000",
        MsgType: "text",
        Content: "你好 ]]> <b>",
        MsgId: String(msgId),
      });
      // Numbers are written bare, as WeChat does, strings in CDATA.
      expect(request.body).toContain(`<MsgId>${msgId}</MsgId>`);
      expect(request.body).toContain("<MsgType><![CDATA[text]]></MsgType>");
    } finally {
      await endpoint.close();
    }
  });

  test("safe mode: an Encrypt envelope and msg_signature that the reference implementation opens", async () => {
    const endpoint = await recordingEndpoint({ status: 200, body: "success" });
    const sender = new CallbackSender({ token: TOKEN, appId: APP_ID, aesKeys: [AES_KEY] });
    const reference = new WXBizMsgCrypt(TOKEN, AES_KEY, APP_ID);
    try {
      await sender.push(endpoint.url, FAN, 1_800_000_000, { MsgType: "event", Event: "subscribe", EventKey: "" });
      const [request] = endpoint.requests;
      const query = request.url.searchParams;
      const envelope = await parseXml(request.body);
      expect(envelope.ToUserName).toBe(SANDBOX_ACCOUNT_ID);
      const encrypt = envelope.Encrypt as string;
      expect(query.get("encrypt_type")).toBe("aes");
      expect(query.get("msg_signature")).toBe(reference.getSignature(query.get("timestamp")!, query.get("nonce")!, encrypt));
      expect(query.get("signature")).toBe(plainSignature(TOKEN, query.get("timestamp")!, query.get("nonce")!));
      const opened = reference.decrypt(encrypt);
      expect(opened.id).toBe(APP_ID);
      expect(await parseXml(opened.message)).toMatchObject({ FromUserName: FAN, MsgType: "event", Event: "subscribe" });
    } finally {
      await endpoint.close();
    }
  });

  test("MsgIds are above 2^53 and never repeat", () => {
    const ids = Array.from({ length: 1000 }, () => nextMsgId(1_800_000_000_000));
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) expect(id).toBeGreaterThan(2n ** 53n);
  });
});

describe.each([
  ["plaintext", [] as string[]],
  ["safe mode", [AES_KEY]],
])("against the real /wechat router (%s)", (_mode, aesKeys) => {
  let server: Awaited<ReturnType<typeof realCallbackServer>>;
  let sender: CallbackSender;

  beforeAll(async () => {
    server = await realCallbackServer(aesKeys);
    sender = new CallbackSender({ token: TOKEN, appId: APP_ID, aesKeys });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.handled.length = 0;
    server.replyWith(null);
    server.failWith(null);
  });

  test("the router accepts the push and the text reply comes back opened", async () => {
    server.replyWith({ type: "text", content: "欢迎关注" });
    const outcome = await sender.push(server.url, FAN, 1_800_000_000, { MsgType: "text", Content: "你好", MsgId: nextMsgId() });
    expect(outcome).toEqual({ ok: true, status: 200, reply: expect.objectContaining({ MsgType: "text", Content: "欢迎关注", ToUserName: FAN }) });
    expect(server.handled).toEqual([expect.objectContaining({ kind: "text", content: "你好", fromUserName: FAN, toUserName: SANDBOX_ACCOUNT_ID })]);
  });

  test("a news reply keeps its articles", async () => {
    server.replyWith({ type: "news", articles: [{ title: "账单", description: "41.40 元", url: "https://example.com/bill" }] });
    const outcome = await sender.push(server.url, FAN, 1_800_000_000, { MsgType: "event", Event: "CLICK", EventKey: "BILL" });
    expect(outcome.ok && outcome.reply).toMatchObject({ MsgType: "news", Articles: { item: { Title: "账单", Url: "https://example.com/bill" } } });
    expect(server.handled).toEqual([expect.objectContaining({ kind: "click", eventKey: "BILL" })]);
  });

  test("a handler failure is reported with the router's status", async () => {
    server.failWith(new Error("database down"));
    const outcome = await sender.push(server.url, FAN, 1_800_000_000, { MsgType: "text", Content: "x", MsgId: nextMsgId() });
    expect(outcome).toEqual({ ok: false, status: 500, error: expect.stringContaining("HTTP 500") });
  });
});

describe("replies WeChat would not accept", () => {
  test("a plaintext reply in safe mode is an error, not a message", async () => {
    const endpoint = await recordingEndpoint({ status: 200, body: "<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content></xml>" });
    const sender = new CallbackSender({ token: TOKEN, appId: APP_ID, aesKeys: [AES_KEY] });
    try {
      const outcome = await sender.push(endpoint.url, FAN, 1_800_000_000, { MsgType: "text", Content: "x", MsgId: nextMsgId() });
      expect(outcome).toEqual({ ok: false, status: 200, error: expect.stringContaining("没有加密") });
    } finally {
      await endpoint.close();
    }
  });

  test("no answer within the time limit", async () => {
    const silent = await listen(() => undefined);
    const sender = new CallbackSender({ token: TOKEN, appId: APP_ID, aesKeys: [], timeoutMs: 200 });
    try {
      const outcome = await sender.push(silent.url, FAN, 1_800_000_000, { MsgType: "text", Content: "x", MsgId: nextMsgId() });
      expect(outcome).toEqual({ ok: false, status: null, error: expect.stringContaining("没有响应") });
    } finally {
      await silent.close();
    }
  });

  test("nothing listening", async () => {
    const gone = await listen(() => undefined);
    await gone.close();
    const sender = new CallbackSender({ token: TOKEN, appId: APP_ID, aesKeys: [] });
    const outcome = await sender.push(gone.url, FAN, 1_800_000_000, { MsgType: "text", Content: "x", MsgId: nextMsgId() });
    expect(outcome).toEqual({ ok: false, status: null, error: expect.stringContaining("无法连接") });
  });
});
