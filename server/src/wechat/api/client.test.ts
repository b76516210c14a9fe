import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { ManualClock } from "../../infra/clock";
import { createLogger } from "../../infra/logger";
import { MemoryKeyValueStore } from "../../infra/kv/memoryKeyValueStore";
import { startFakeWechat } from "../../sandbox/fakeWechat";
import { AccessTokenProvider } from "./accessToken";
import type { CustomMessage, Menu } from "./client";
import { WechatApiClient, jsSdkSignature } from "./client";
import { WechatApiError } from "./errors";

const APP_ID = "wxtest0000000001";
const APP_SECRET = "test-secret-0123456789abcdef";
const FAN = "oFan000000000000000000000001";
const logger = createLogger("silent");

type Fake = Awaited<ReturnType<typeof startFakeWechat>>;

let fake: Fake;
let clock: ManualClock;
let kv: MemoryKeyValueStore;
let tokens: AccessTokenProvider;
let client: WechatApiClient;

function newClient(overrides: Partial<ConstructorParameters<typeof WechatApiClient>[0]> = {}): WechatApiClient {
  return new WechatApiClient({
    apiBase: fake.url,
    appId: APP_ID,
    appSecret: APP_SECRET,
    tokens,
    qrImageBase: `${fake.url}/cgi-bin/showqrcode`,
    ...overrides,
  });
}

beforeEach(async () => {
  clock = new ManualClock(new Date());
  fake = await startFakeWechat({ appId: APP_ID, appSecret: APP_SECRET, clock });
  fake.state.upsertFan({ openId: FAN, nickname: "王小明", subscribed: true, unionId: "uUnion1" });
  kv = new MemoryKeyValueStore(clock);
  tokens = new AccessTokenProvider({ kv, apiBase: fake.url, appId: APP_ID, appSecret: APP_SECRET, logger, clock });
  client = newClient();
});

afterEach(() => fake.close());

async function rejection(promise: Promise<unknown>): Promise<WechatApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WechatApiError);
    return error as WechatApiError;
  }
  throw new Error("expected a WechatApiError");
}

async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe("custom messages", () => {
  test("sends Chinese text as raw UTF-8, never \\u escapes", async () => {
    const bodies: string[] = [];
    const spy: typeof fetch = (input, init) => {
      if (typeof init?.body === "string") bodies.push(init.body);
      return fetch(input, init);
    };
    await newClient({ fetchImpl: spy }).sendCustomMessage({ type: "text", toUser: FAN, content: "您好，水费已到账 💧" });
    expect(bodies[0]).toContain("您好，水费已到账 💧");
    expect(bodies[0]).not.toMatch(/\\u/);
    expect(fake.state.messagesTo(FAN)).toMatchObject([{ kind: "custom", msgType: "text", body: { text: { content: "您好，水费已到账 💧" } } }]);
  });

  test("maps every message type to WeChat's field names", async () => {
    const image = await client.uploadMedia("image", "bill.png", "image/png", randomBytes(100));
    const thumb = await client.uploadMedia("thumb", "thumb.jpg", "image/jpeg", randomBytes(100));
    const messages: CustomMessage[] = [
      { type: "image", toUser: FAN, mediaId: image.mediaId, kfAccount: "agent01@shuiwu" },
      { type: "video", toUser: FAN, mediaId: image.mediaId, thumbMediaId: thumb.mediaId, title: "指南", description: "如何缴费" },
      { type: "news", toUser: FAN, articles: [{ title: "停水通知", description: "周三", url: "https://example.com/n", picUrl: "https://example.com/p.jpg" }] },
      { type: "miniprogrampage", toUser: FAN, title: "缴费", appId: "wxmini0000000001", pagePath: "pages/pay", thumbMediaId: thumb.mediaId },
      { type: "msgmenu", toUser: FAN, headContent: "满意吗？", list: [{ id: "101", content: "满意" }, { id: "102", content: "不满意" }], tailContent: "谢谢" },
    ];
    for (const message of messages) await client.sendCustomMessage(message);
    const bodies = fake.state.messagesTo(FAN).map((message) => message.body);
    expect(bodies[0]).toEqual({ touser: FAN, msgtype: "image", image: { media_id: image.mediaId }, customservice: { kf_account: "agent01@shuiwu" } });
    expect(bodies[1].video).toEqual({ media_id: image.mediaId, thumb_media_id: thumb.mediaId, title: "指南", description: "如何缴费" });
    expect(bodies[2].news).toEqual({ articles: [{ title: "停水通知", description: "周三", url: "https://example.com/n", picurl: "https://example.com/p.jpg" }] });
    expect(bodies[3].miniprogrampage).toEqual({ title: "缴费", appid: "wxmini0000000001", pagepath: "pages/pay", thumb_media_id: thumb.mediaId });
    expect(bodies[4].msgmenu).toEqual({ head_content: "满意吗？", list: [{ id: "101", content: "满意" }, { id: "102", content: "不满意" }], tail_content: "谢谢" });
    expect(fake.state.customMessages[0]).toMatchObject({ kfAccount: "agent01@shuiwu" });
  });

  test("refuses fans the account does not know (40003) or who unfollowed (43004), permanently", async () => {
    const unknown = await rejection(client.sendCustomMessage({ type: "text", toUser: "oUnknown", content: "hi" }));
    expect(unknown).toMatchObject({ errcode: 40003, retryable: false, path: "/cgi-bin/message/custom/send" });
    fake.state.upsertFan({ openId: FAN, subscribed: false });
    const unfollowed = await rejection(client.sendCustomMessage({ type: "text", toUser: FAN, content: "hi" }));
    expect(unfollowed).toMatchObject({ errcode: 43004, retryable: false });
  });

  test("typing is recorded and sent with WeChat's command names", async () => {
    await client.typing(FAN, "Typing");
    await client.typing(FAN, "CancelTyping");
    expect(fake.state.typingEvents.map((event) => event.command)).toEqual(["Typing", "CancelTyping"]);
  });
});

describe("access token handling in calls", () => {
  test("a token revoked by another instance's refresh (40001) is refreshed once and the call succeeds", async () => {
    await client.typing(FAN, "Typing");
    // Someone else fetches a token directly, which revokes ours.
    await fetch(`${fake.url}/cgi-bin/token?grant_type=client_credential&appid=${APP_ID}&secret=${APP_SECRET}`);
    await client.sendCustomMessage({ type: "text", toUser: FAN, content: "still works" });
    expect(fake.state.tokenRequests).toBe(3);
    expect(fake.state.customMessages).toHaveLength(1);
  });

  test("an expired token (42001) is refreshed once and the call succeeds", async () => {
    await client.typing(FAN, "Typing");
    fake.state.expireAllTokens();
    await client.typing(FAN, "CancelTyping");
    expect(fake.state.tokenRequests).toBe(2);
    expect(fake.state.typingEvents).toHaveLength(2);
  });

  test("a token error that persists after one retry is thrown as transient", async () => {
    fake.state.failNext("/cgi-bin/message/custom/send", { errcode: 40001, times: 2 });
    const error = await rejection(client.sendCustomMessage({ type: "text", toUser: FAN, content: "hi" }));
    expect(error).toMatchObject({ errcode: 40001, retryable: true });
    expect(fake.state.tokenRequests).toBe(2);
    expect(fake.state.requestCounts.get("/cgi-bin/message/custom/send")).toBe(2);
  });

  test("other errors are not retried", async () => {
    fake.state.failNext("/cgi-bin/message/custom/send", { errcode: 45015 });
    await rejection(client.sendCustomMessage({ type: "text", toUser: FAN, content: "hi" }));
    expect(fake.state.requestCounts.get("/cgi-bin/message/custom/send")).toBe(1);
    expect(fake.state.tokenRequests).toBe(1);
  });
});

describe("error types", () => {
  const text: CustomMessage = { type: "text", toUser: FAN, content: "hi" };

  test("45015 (window closed) and 45047 (quota) are permanent", async () => {
    fake.state.failNext("/cgi-bin/message/custom/send", { errcode: 45015 });
    const closed = await rejection(client.sendCustomMessage(text));
    expect(closed).toMatchObject({ errcode: 45015, retryable: false, path: "/cgi-bin/message/custom/send" });
    expect(closed.errmsg).toContain("response out of time limit");
    expect(closed.message).toContain("/cgi-bin/message/custom/send");
    expect(closed.message).toContain("45015");
    fake.state.failNext("/cgi-bin/message/custom/send", { errcode: 45047 });
    expect(await rejection(client.sendCustomMessage(text))).toMatchObject({ errcode: 45047, retryable: false });
  });

  test("-1 (system busy) and rate limits are transient", async () => {
    for (const errcode of [-1, 45009, 45011]) {
      fake.state.failNext("/cgi-bin/message/custom/send", { errcode });
      expect(await rejection(client.sendCustomMessage(text))).toMatchObject({ errcode, retryable: true });
    }
  });

  test("HTTP 500 is transient, with the status", async () => {
    fake.state.failNext("/cgi-bin/message/custom/send", { httpStatus: 502 });
    expect(await rejection(client.sendCustomMessage(text))).toMatchObject({ errcode: -3, httpStatus: 502, retryable: true });
  });

  test("a closed port is a transient network error with its cause", async () => {
    const offline = newClient({ apiBase: await closedPortUrl() });
    const error = await rejection(offline.sendCustomMessage(text));
    expect(error).toMatchObject({ errcode: -2, retryable: true });
    expect(error.errmsg).toContain("ECONNREFUSED");
    expect(error.cause).toBeDefined();
  });

  test("a dropped connection is a transient network error", async () => {
    fake.state.failNext("/cgi-bin/message/custom/send", { dropConnection: true });
    expect(await rejection(client.sendCustomMessage(text))).toMatchObject({ errcode: -2, retryable: true });
  });

  test("a slow answer times out as a transient network error", async () => {
    fake.state.failNext("/cgi-bin/message/custom/send", { delayMs: 400 });
    const error = await rejection(newClient({ timeoutMs: 100 }).sendCustomMessage(text));
    expect(error).toMatchObject({ errcode: -2, retryable: true });
    expect(error.errmsg).toContain("timed out after 100 ms");
  });

  test("a body that is not JSON is a permanent bad response", async () => {
    const html: typeof fetch = async () => new Response("<html>proxy</html>", { status: 200 });
    expect(await rejection(newClient({ fetchImpl: html }).typing(FAN, "Typing"))).toMatchObject({ errcode: -4, retryable: false });
  });
});

describe("template messages", () => {
  const bill = {
    toUser: FAN,
    templateId: "tmpl-water-bill",
    url: "https://example.com/bill/2026-01",
    data: { thing1: { value: "1号楼201" }, amount2: { value: "¥56.30" } },
  };

  test("keeps a msgid above 2^53 exact", async () => {
    const { msgId } = await client.sendTemplate(bill);
    expect(msgId).toBe((2n ** 60n + 1n).toString());
    expect(msgId).toBe("1152921504606846977");
    expect(fake.state.templateMessages[0]).toMatchObject({ msgId, templateId: "tmpl-water-bill" });
  });

  test("sends mini program and client_msg_id in WeChat's names; a repeated id is not sent twice", async () => {
    const message = { ...bill, miniprogram: { appId: "wxmini0000000001", pagePath: "pages/bill" }, clientMsgId: "row-1" };
    const first = await client.sendTemplate(message);
    const again = await client.sendTemplate(message);
    expect(again.msgId).toBe(first.msgId);
    expect(fake.state.templateMessages).toHaveLength(1);
    expect(fake.state.templateMessages[0].body).toMatchObject({
      template_id: "tmpl-water-bill",
      miniprogram: { appid: "wxmini0000000001", pagepath: "pages/bill" },
      client_msg_id: "row-1",
    });
  });

  test("messagesTo lists custom and template messages in sending order", async () => {
    await client.sendCustomMessage({ type: "text", toUser: FAN, content: "one" });
    clock.advance(1000);
    await client.sendTemplate(bill);
    clock.advance(1000);
    await client.sendCustomMessage({ type: "text", toUser: FAN, content: "three" });
    const sent = fake.state.messagesTo(FAN);
    expect(sent.map((message) => message.kind)).toEqual(["custom", "template", "custom"]);
    expect(sent[1].at.getTime() - sent[0].at.getTime()).toBe(1000);
  });
});

describe("menus", () => {
  const menu: Menu = {
    button: [
      { type: "click", name: "查水费", key: "BILL" },
      {
        name: "服务",
        sub_button: [
          { type: "view", name: "停水通知", url: "https://example.com/notice" },
          { type: "miniprogram", name: "缴费", url: "https://example.com", appid: "wxmini0000000001", pagepath: "pages/pay" },
        ],
      },
    ],
  };

  test("create, get and delete round trip", async () => {
    expect(await client.getMenu()).toBeNull();
    await client.createMenu(menu);
    expect(await client.getMenu()).toMatchObject(menu);
    await client.deleteMenu();
    expect(await client.getMenu()).toBeNull();
  });

  const leaf = { type: "click" as const, name: "查询", key: "K" };
  const cases: [string, Menu, number][] = [
    ["no buttons", { button: [] }, 40016],
    ["four top buttons", { button: [leaf, leaf, leaf, leaf] }, 40016],
    ["an unknown top type", { button: [{ ...leaf, type: "tap" as "click" }] }, 40017],
    ["a top name of 17 bytes (6 CJK)", { button: [{ ...leaf, name: "查询水费账单" }] }, 40018],
    ["a key over 128 bytes", { button: [{ ...leaf, key: "k".repeat(129) }] }, 40019],
    ["a view url over 1024 bytes", { button: [{ type: "view", name: "网页", url: `https://e.com/${"a".repeat(1020)}` }] }, 40020],
    ["six sub buttons", { button: [{ name: "更多", sub_button: Array(6).fill(leaf) }] }, 40023],
    ["an unknown sub type", { button: [{ name: "更多", sub_button: [{ ...leaf, type: "tap" as "click" }] }] }, 40024],
    ["a sub name over 60 bytes", { button: [{ name: "更多", sub_button: [{ ...leaf, name: "水".repeat(21) }] }] }, 40025],
    ["a sub key over 128 bytes", { button: [{ name: "更多", sub_button: [{ ...leaf, key: "k".repeat(129) }] }] }, 40026],
    ["a sub url over 1024 bytes", { button: [{ name: "更多", sub_button: [{ type: "view", name: "网页", url: "u".repeat(1025) }] }] }, 40027],
  ];

  test.each(cases)("the fake rejects %s", async (_case, invalid, errcode) => {
    expect(await rejection(client.createMenu(invalid))).toMatchObject({ errcode, retryable: false });
  });

  test("names are limited in UTF-8 bytes: 5 CJK characters (15 bytes) fit a top button", async () => {
    await client.createMenu({ button: [{ ...leaf, name: "查询水费单" }] });
  });
});

describe("QR codes", () => {
  test("creates a temporary string-scene code whose image the fake serves", async () => {
    const qr = await client.createTemporaryQrCode("agent-login:7f3a", 120);
    expect(qr.expireSeconds).toBe(120);
    expect(qr.ticket).toMatch(/=$/);
    expect(qr.imageUrl).toBe(`${fake.url}/cgi-bin/showqrcode?ticket=${encodeURIComponent(qr.ticket)}`);
    expect(fake.state.qrCode(qr.ticket)).toMatchObject({ actionName: "QR_STR_SCENE", sceneStr: "agent-login:7f3a", url: qr.url });
    const image = await fetch(qr.imageUrl);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toContain("image/svg+xml");
    expect(await image.text()).toContain("agent-login:7f3a");
    clock.advance(121_000);
    expect(fake.state.qrCode(qr.ticket)).toBeUndefined();
    expect((await fetch(qr.imageUrl)).status).toBe(404);
  });

  test("uses WeChat's image host by default", async () => {
    const qr = await newClient({ qrImageBase: undefined }).createTemporaryQrCode("s", 60);
    expect(qr.imageUrl).toBe(`https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=${encodeURIComponent(qr.ticket)}`);
  });

  test("rejects scenes and lifetimes WeChat would not accept before calling it", async () => {
    await expect(client.createTemporaryQrCode("", 60)).rejects.toThrow(RangeError);
    await expect(client.createTemporaryQrCode("x".repeat(65), 60)).rejects.toThrow(RangeError);
    await expect(client.createTemporaryQrCode("s", 2_592_001)).rejects.toThrow(RangeError);
    expect(fake.state.requestCounts.get("/cgi-bin/qrcode/create")).toBeUndefined();
  });
});

describe("media", () => {
  test("upload then download returns the same bytes, type and name", async () => {
    const data = randomBytes(5000);
    const uploaded = await client.uploadMedia("image", "水表.jpg", "image/jpeg", data);
    expect(uploaded.createdAt).toBe(Math.floor(clock.now().getTime() / 1000));
    const file = await client.getMedia(uploaded.mediaId);
    expect(file.data.equals(data)).toBe(true);
    expect(file.contentType).toBe("image/jpeg");
    expect(file.fileName).toBe("水表.jpg");
    expect(fake.state.media.get(uploaded.mediaId)?.fileName).toBe("水表.jpg");
  });

  test("a thumbnail's id comes back as thumb_media_id", async () => {
    const uploaded = await client.uploadMedia("thumb", "t.jpg", "image/jpeg", randomBytes(1000));
    expect(fake.state.media.get(uploaded.mediaId)?.type).toBe("thumb");
  });

  test("a video is downloaded through the link media/get answers with", async () => {
    const data = randomBytes(3000);
    const uploaded = await client.uploadMedia("video", "v.mp4", "video/mp4", data);
    const file = await client.getMedia(uploaded.mediaId);
    expect(file.data.equals(data)).toBe(true);
    expect(file.contentType).toBe("video/mp4");
  });

  test("an unknown or expired media id is 40007, and oversize uploads 45001", async () => {
    const uploaded = await client.uploadMedia("voice", "v.amr", "audio/amr", randomBytes(10));
    clock.advance(3 * 24 * 3600_000);
    expect(await rejection(client.getMedia(uploaded.mediaId))).toMatchObject({ errcode: 40007, retryable: false });
    expect(await rejection(client.uploadMedia("thumb", "big.jpg", "image/jpeg", Buffer.alloc(65 * 1024)))).toMatchObject({ errcode: 45001 });
  });
});

describe("web OAuth", () => {
  test("a code yields the fan's openid once, then 40163", async () => {
    const code = fake.state.issueOAuthCode(FAN);
    expect(await client.oauthCodeToOpenId(code)).toEqual({ openId: FAN, scope: "snsapi_base", unionId: undefined, isSnapshotUser: false });
    expect(await rejection(client.oauthCodeToOpenId(code))).toMatchObject({ errcode: 40163, retryable: false });
    expect(fake.state.tokenRequests).toBe(0);
  });

  test("unknown and expired codes are 40029", async () => {
    expect(await rejection(client.oauthCodeToOpenId("nope"))).toMatchObject({ errcode: 40029 });
    const code = fake.state.issueOAuthCode(FAN);
    clock.advance(5 * 60_000 + 1);
    expect(await rejection(client.oauthCodeToOpenId(code))).toMatchObject({ errcode: 40029 });
  });

  test("reports snapshot-mode users and the unionid of userinfo scope", async () => {
    const snapshot = fake.state.issueOAuthCode("oVirtual", { snapshotUser: true });
    expect(await client.oauthCodeToOpenId(snapshot)).toMatchObject({ openId: "oVirtual", isSnapshotUser: true });
    const userinfo = fake.state.issueOAuthCode(FAN, { scope: "snsapi_userinfo" });
    expect(await client.oauthCodeToOpenId(userinfo)).toMatchObject({ scope: "snsapi_userinfo", unionId: "uUnion1" });
  });
});

describe("JS-SDK", () => {
  // Reference §3 V9: the official documentation example and WxJava's WxMpJsAPITest.
  const official = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";

  test("matches the official documentation vectors", () => {
    expect(jsSdkSignature(official, "Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com")).toBe(
      "f4d90daf4b3bca3078ab155816175ba34c443a7b",
    );
    expect(jsSdkSignature(official, "Wm3WZYTPz0wzccnW", "1414587457", "http://mp.weixin.qq.com?params=value")).toBe(
      "0f9de62fce790f9a083d5c99e95740ceb90c27ed",
    );
  });

  test("matches WxJava's vector", () => {
    expect(
      jsSdkSignature(
        "bxLdikRXVbTPdHSM05e5u4RbEYQn7pNQMPrfzl8lJNb1foLDa3HIwI3BRMkQmSO_5F64VFa75uURcq6Uz7QHgA",
        "82693e11-b9bc-448e-892f-f5289f46cd0f",
        1419835025,
        "http://omstest.vmall.com:23568/thirdparty/wechat/vcode/gotoshare?quantity=1&batchName=MATE7",
      ),
    ).toBe("c6f04b64d6351d197b71bd23fb7dd2d44c0db486");
  });

  test("ignores the URL fragment", () => {
    expect(jsSdkSignature(official, "Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com#/bill?x=1")).toBe(
      "f4d90daf4b3bca3078ab155816175ba34c443a7b",
    );
  });

  test("config signs with the shared ticket, fetched once for all instances", async () => {
    const other = newClient();
    const configs = await Promise.all([client.jsSdkConfig("https://h5.example.com/pay?a=1#top"), other.jsSdkConfig("https://h5.example.com/")]);
    expect(fake.state.requestCounts.get("/cgi-bin/ticket/getticket")).toBe(1);
    const ticket = fake.state.jsapiTicket!;
    expect(await client.getJsapiTicket()).toBe(ticket);
    expect(configs[0]).toMatchObject({ appId: APP_ID, timestamp: Math.floor(clock.now().getTime() / 1000) });
    expect(configs[0].nonceStr).toMatch(/^[0-9a-f]{16}$/);
    expect(configs[0].signature).toBe(jsSdkSignature(ticket, configs[0].nonceStr, configs[0].timestamp, "https://h5.example.com/pay?a=1"));
    expect(JSON.parse((await kv.get(`wechat:jsapi-ticket:${APP_ID}`))!).ticket).toBe(ticket);
  });
});

describe("user info", () => {
  test("returns a follower's profile in camelCase", async () => {
    fake.state.upsertFan({ openId: FAN, remark: "VIP", tagIds: [2, 5], qrSceneStr: "meter-42" });
    const info = await client.getUserInfo(FAN);
    expect(info).toMatchObject({
      subscribe: true,
      openId: FAN,
      nickname: "王小明",
      unionId: "uUnion1",
      remark: "VIP",
      tagIds: [2, 5],
      qrSceneStr: "meter-42",
      subscribeScene: "ADD_SCENE_QR_CODE",
    });
    expect(info.subscribeTime).toBe(Math.floor(clock.now().getTime() / 1000));
  });

  test("an unfollowed fan comes back with subscribe false, an unknown one as 40003", async () => {
    fake.state.upsertFan({ openId: FAN, subscribed: false });
    expect(await client.getUserInfo(FAN)).toMatchObject({ subscribe: false, openId: FAN, nickname: undefined });
    expect(await rejection(client.getUserInfo("oNobody"))).toMatchObject({ errcode: 40003 });
  });
});
