import type { RunningServer } from "../src/server";
import { startFakeWechat } from "../src/sandbox/fakeWechat";
import { createTestDatabase, REDIS_TEST_URL, testKeyPrefix, type TestDatabase } from "./support/mariadb";
import { startTestServer, TEST_AES_KEY, TEST_APPID, TEST_TOKEN } from "./support/testServer";
import { deliver, eventXml, nextMsgId, textXml, type CallbackTarget } from "./support/wechatFan";

/**
 * The `/wechat` pipeline end to end on MariaDB + Redis, two server instances sharing them
 * (as in production), driven with WeChat-shaped signed and encrypted requests.
 */
describe.each([
  ["plaintext", undefined],
  ["safe mode", TEST_AES_KEY],
])("WeChat callback on MariaDB + Redis (%s)", (_mode, aesKey) => {
  let db: TestDatabase;
  let fake: Awaited<ReturnType<typeof startFakeWechat>>;
  let a: RunningServer;
  let b: RunningServer;
  let targetA: CallbackTarget;
  let targetB: CallbackTarget;

  beforeAll(async () => {
    db = await createTestDatabase("cb");
    fake = await startFakeWechat({ appId: "wxtest0000000000001", appSecret: "test-secret-0123456789abcdef" });
    const kvPrefix = testKeyPrefix("cb");
    const common = { databaseUrl: db.url, redisUrl: REDIS_TEST_URL, kvPrefix, wechatApiBase: fake.url, aesKey, start: { dispatcher: false as const } };
    a = await startTestServer(common);
    b = await startTestServer(common);
    targetA = { url: a.url, token: TEST_TOKEN, appId: TEST_APPID, aesKey };
    targetB = { url: b.url, token: TEST_TOKEN, appId: TEST_APPID, aesKey };
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await fake?.close();
    await db?.drop();
  });

  const countRows = async (where = "1=1", params: unknown[] = []) =>
    Number((await a.dataSource.query(`SELECT COUNT(*) AS n FROM inbound_message WHERE ${where}`, params))[0].n);

  it("stores a text message once, keeps its 64-bit MsgId exact, and opens the fan's 48-hour window", async () => {
    const msgId = "9223372036854775807"; // 2^63-1: far beyond 2^53
    const createTime = Math.floor(Date.now() / 1000);
    const response = await deliver(targetA, textXml({ from: "oFanText001", content: "你好，查一下水费", msgId, createTime }));
    // Acknowledged: "success", or a passive reply when a module (e.g. the off-hours notice) answers.
    expect(response.status).toBe(200);
    expect(response.body === "success" || response.replyXml !== undefined).toBe(true);

    const rows = await a.dataSource.query("SELECT * FROM inbound_message WHERE openid = ?", ["oFanText001"]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: "text", msg_id: msgId, dedupe_key: `msg:${msgId}` });
    expect(JSON.parse(rows[0].payload)).toMatchObject({ content: "你好，查一下水费", msgId });
    expect(rows[0].raw_xml).toContain("<MsgId>9223372036854775807</MsgId>");

    const [fan] = await a.dataSource.query("SELECT * FROM fan WHERE openid = ?", ["oFanText001"]);
    expect(fan.subscribed).toBe(1);
    expect(new Date(fan.last_message_at).getTime()).toBe(createTime * 1000);
    expect(new Date(fan.last_interaction_at).getTime()).toBe(createTime * 1000);
  });

  it("acknowledges every retry but stores one row when retries arrive concurrently on two instances", async () => {
    const msgId = nextMsgId();
    const xml = textXml({ from: "oFanRetry01", content: "停水了吗？", msgId });
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => deliver(i % 2 ? targetA : targetB, xml)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    // Only the delivery that stored the message may be answered by a module; every retry gets "success".
    expect(responses.filter((r) => r.body !== "success").length).toBeLessThanOrEqual(1);
    expect(await countRows("dedupe_key = ?", [`msg:${msgId}`])).toBe(1);

    // A later retry (WeChat retries after 5 s) is acknowledged and still not stored again.
    expect(await deliver(targetB, xml)).toMatchObject({ status: 200, body: "success" });
    expect(await countRows("dedupe_key = ?", [`msg:${msgId}`])).toBe(1);
  });

  it("deduplicates events by FromUserName + CreateTime + Event", async () => {
    const createTime = Math.floor(Date.now() / 1000) - 10;
    const click = eventXml({ from: "oFanClick01", event: "CLICK", eventKey: "MENU_BILL", createTime });
    await Promise.all([deliver(targetA, click), deliver(targetB, click), deliver(targetA, click)]);
    expect(await countRows("openid = ? AND kind = 'click'", ["oFanClick01"])).toBe(1);
    const [fan] = await a.dataSource.query("SELECT last_event_at, last_message_at FROM fan WHERE openid = ?", ["oFanClick01"]);
    expect(new Date(fan.last_event_at).getTime()).toBe(createTime * 1000);
    expect(fan.last_message_at).toBeNull();

    // A different event of the same fan in the same second is a different delivery.
    await deliver(targetA, eventXml({ from: "oFanClick01", event: "VIEW", eventKey: "https://h5.example/bills", createTime }));
    expect(await countRows("openid = ?", ["oFanClick01"])).toBe(2);
  });

  it("answers a follow with the configured welcome text, and a change of the setting takes effect", async () => {
    const createTime = Math.floor(Date.now() / 1000);
    const follow = await deliver(targetA, eventXml({ from: "oFanNew0001", event: "subscribe", eventKey: "qrscene_outlet_12", createTime }));
    expect(follow.status).toBe(200);
    expect(follow.replyXml).toContain("<MsgType><![CDATA[text]]></MsgType>");
    expect(follow.replyXml).toContain("欢迎关注水务客服");
    expect(follow.replyXml).toContain("<ToUserName><![CDATA[oFanNew0001]]></ToUserName>");
    const [row] = await a.dataSource.query("SELECT payload FROM inbound_message WHERE openid = ? AND kind = 'subscribe'", ["oFanNew0001"]);
    expect(JSON.parse(row.payload)).toMatchObject({ sceneKey: "outlet_12" });

    // The retry of the follow is stored already: acknowledged without a second welcome.
    const retry = await deliver(targetB, eventXml({ from: "oFanNew0001", event: "subscribe", eventKey: "qrscene_outlet_12", createTime }));
    expect(retry).toMatchObject({ status: 200, body: "success" });

    await a.settings.set("welcome.text", "欢迎！回复“查水费”查询账单。");
    const again = await deliver(targetA, eventXml({ from: "oFanNew0002", event: "subscribe", createTime }));
    expect(again.replyXml).toContain("欢迎！回复“查水费”查询账单。");
    await a.settings.set("welcome.text", "");
    expect(await deliver(targetA, eventXml({ from: "oFanNew0003", event: "subscribe", createTime }))).toMatchObject({ body: "success" });
  });

  it("marks a fan unsubscribed on unfollow and subscribed again on follow", async () => {
    const t = Math.floor(Date.now() / 1000);
    await deliver(targetA, eventXml({ from: "oFanLeave01", event: "subscribe", createTime: t - 20 }));
    await deliver(targetA, eventXml({ from: "oFanLeave01", event: "unsubscribe", createTime: t - 10 }));
    let [fan] = await a.dataSource.query("SELECT subscribed, unsubscribed_at FROM fan WHERE openid = ?", ["oFanLeave01"]);
    expect(fan.subscribed).toBe(0);
    expect(fan.unsubscribed_at).not.toBeNull();
    await deliver(targetB, eventXml({ from: "oFanLeave01", event: "subscribe", createTime: t }));
    [fan] = await a.dataSource.query("SELECT subscribed FROM fan WHERE openid = ?", ["oFanLeave01"]);
    expect(fan.subscribed).toBe(1);
  });

  it("stores an unknown message type raw and acknowledges it", async () => {
    const xml = `<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[oFanOdd0001]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[hologram]]></MsgType><MsgId>${nextMsgId()}</MsgId><Beam>3d</Beam></xml>`;
    expect(await deliver(targetA, xml)).toMatchObject({ status: 200, body: "success" });
    const [row] = await a.dataSource.query("SELECT kind, raw_xml FROM inbound_message WHERE openid = ?", ["oFanOdd0001"]);
    expect(row.kind).toBe("unknown");
    expect(row.raw_xml).toContain("<Beam>3d</Beam>");
  });

  describe("bad input", () => {
    const before = { count: 0 };
    beforeEach(async () => {
      before.count = await countRows();
    });
    afterEach(async () => {
      expect(await countRows()).toBe(before.count); // nothing stored, ever
    });

    it("refuses a wrong signature with 401", async () => {
      const response = await deliver(targetA, textXml({ from: "oFanBad0001", content: "x", msgId: nextMsgId() }), { signature: "0".repeat(40) });
      expect(response.status).toBe(401);
    });

    it("refuses malformed XML with 400", async () => {
      const response = await deliver(targetA, "<xml><ToUserName>oops</xml");
      expect(response.status).toBe(400);
    });

    it("refuses XML with a DOCTYPE (XXE) with 400", async () => {
      const xxe = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><ToUserName>gh</ToUserName><FromUserName>oFanXXE</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&x;</Content><MsgId>1</MsgId></xml>`;
      expect((await deliver(targetA, xxe)).status).toBe(400);
    });

    it("refuses a body over 1 MB with 413", async () => {
      const huge = textXml({ from: "oFanHuge001", content: "水".repeat(400_000), msgId: nextMsgId() });
      expect((await deliver(targetA, huge)).status).toBe(413);
    });

    it("never answers 500 to a missing query", async () => {
      const response = await fetch(`${a.url}/wechat`, { method: "POST", body: "<xml></xml>", headers: { "content-type": "text/xml" } });
      expect(response.status).toBe(401);
    });
  });
});

describe("WeChat callback, safe mode: payloads that verify but cannot be used", () => {
  let db: TestDatabase;
  let fake: Awaited<ReturnType<typeof startFakeWechat>>;
  let server: RunningServer;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const WXBizMsgCrypt = require("wechat-crypto");

  beforeAll(async () => {
    db = await createTestDatabase("cbsafe");
    fake = await startFakeWechat({ appId: TEST_APPID, appSecret: "test-secret-0123456789abcdef" });
    server = await startTestServer({ databaseUrl: db.url, redisUrl: REDIS_TEST_URL, kvPrefix: testKeyPrefix("cbsafe"), wechatApiBase: fake.url, aesKey: TEST_AES_KEY, start: { dispatcher: false } });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
    await db?.drop();
  });

  async function post(encrypted: string, crypter: { getSignature(t: string, n: string, e: string): string }) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = "12345";
    const msgSignature = crypter.getSignature(timestamp, nonce, encrypted);
    const body = `<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
    return fetch(`${server.url}/wechat?signature=x&timestamp=${timestamp}&nonce=${nonce}&encrypt_type=aes&msg_signature=${msgSignature}`, {
      method: "POST",
      headers: { "content-type": "text/xml" },
      body,
    });
  }

  it("refuses a message encrypted for another appid with 400 and stores nothing", async () => {
    const otherApp = new WXBizMsgCrypt(TEST_TOKEN, TEST_AES_KEY, "wxsomeoneelse000001");
    const response = await post(otherApp.encrypt(textXml({ from: "oFanOther01", content: "x", msgId: nextMsgId() })), otherApp);
    expect(response.status).toBe(400);
    expect(Number((await server.dataSource.query("SELECT COUNT(*) AS n FROM inbound_message"))[0].n)).toBe(0);
  });

  it("refuses an undecryptable payload with 400", async () => {
    const crypter = new WXBizMsgCrypt(TEST_TOKEN, TEST_AES_KEY, TEST_APPID);
    const response = await post(Buffer.from("not really ciphertext, 32 bytes.").toString("base64"), crypter);
    expect(response.status).toBe(400);
  });

  it("refuses a safe-mode request whose msg_signature does not cover the Encrypt element", async () => {
    const crypter = new WXBizMsgCrypt(TEST_TOKEN, TEST_AES_KEY, TEST_APPID);
    const good = crypter.encrypt(textXml({ from: "oFanSig0001", content: "x", msgId: nextMsgId() }));
    const timestamp = String(Math.floor(Date.now() / 1000));
    const msgSignature = crypter.getSignature(timestamp, "1", "something else");
    const response = await fetch(`${server.url}/wechat?timestamp=${timestamp}&nonce=1&encrypt_type=aes&msg_signature=${msgSignature}`, {
      method: "POST",
      body: `<xml><Encrypt><![CDATA[${good}]]></Encrypt></xml>`,
    });
    expect(response.status).toBe(401);
  });
});
