import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../config";
import { InboundMessageRow } from "../modules/inbox/inboundMessage.entity";
import { Fan } from "../modules/fans/fan.entity";
import { startServer, type RunningServer } from "../server";

/**
 * The simulator's API on a whole sandbox server (SQLite in a temp dir): each fan action must arrive at
 * /wechat the way WeChat sends it and be stored by the real inbox; bad input is a clear 4xx.
 */

const TEST_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const DEMO_FAN = "oDemoFan0000000000000000001";
/** Smallest valid PNG (1×1, transparent). */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function startSandbox(env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "shuiwu-simulator-"));
  const config = loadConfig({ PORT: "0", DATABASE_URL: `sqlite:${join(dir, "db.sqlite")}`, SANDBOX: "1", LOG_LEVEL: "silent", ...env });
  const server = await startServer(config, { dispatcher: false, host: "127.0.0.1" });
  let token: string | undefined;

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body instanceof FormData || typeof body === "string") init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)["content-type"] = "application/json";
    }
    const response = await fetch(`${server.url}${path}`, init);
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed };
  }

  /**
   * The fake WeChat's own API, as the product would call it (to publish menus, create QR codes, send). The
   * server shares the appid and fetches its own token when it calls WeChat (e.g. a new fan's nickname),
   * which revokes ours as WeChat does: then fetch a new one and try again, as a real client would.
   */
  async function wechat(path: string, body?: unknown): Promise<Answer> {
    const freshToken = async () =>
      (await call("GET", "/sandbox/wechat-api/cgi-bin/token?grant_type=client_credential&appid=wxsandbox00000001&secret=sandbox-secret")).body.access_token as string;
    const separator = path.includes("?") ? "&" : "?";
    const send = () => call(body === undefined ? "GET" : "POST", `/sandbox/wechat-api${path}${separator}access_token=${token}`, body);
    token ??= await freshToken();
    const answer = await send();
    if ((answer.body as { errcode?: number } | null)?.errcode !== 40001) return answer;
    token = await freshToken();
    return send();
  }

  const fanPath = (openid: string, suffix: string) => `/sandbox/api/fans/${openid}${suffix}`;

  /** A new fan who has followed the account. */
  async function follower(nickname = "测试粉丝"): Promise<string> {
    const created = await call("POST", "/sandbox/api/fans", { nickname });
    const openid = created.body.fan.openid as string;
    expect((await call("POST", fanPath(openid, "/follow"))).status).toBe(200);
    return openid;
  }

  async function inbound(openid: string, kind?: string): Promise<InboundMessageRow[]> {
    return server.dataSource.getRepository(InboundMessageRow).find({ where: { openid, ...(kind ? { kind } : {}) }, order: { receivedAt: "ASC" } });
  }

  async function close() {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }

  return { server, call, wechat, fanPath, follower, inbound, close };
}

describe("fan simulator (plaintext mode)", () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let call: typeof sandbox.call;
  let fanPath: typeof sandbox.fanPath;

  beforeAll(async () => {
    sandbox = await startSandbox();
    ({ call, fanPath } = sandbox);
  });
  afterAll(() => sandbox.close());
  afterEach(() => jest.restoreAllMocks());

  test("serves the page, its script and its styles with their content types", async () => {
    const page = await fetch(`${sandbox.server.url}/sandbox`);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(await page.text()).toContain("<title>粉丝模拟器");
    const script = await fetch(`${sandbox.server.url}/sandbox/simulator.js`);
    expect(script.headers.get("content-type")).toBe("application/javascript; charset=utf-8");
    expect(await script.text()).toContain("/sandbox/api/fans");
    const styles = await fetch(`${sandbox.server.url}/sandbox/simulator.css`);
    expect(styles.headers.get("content-type")).toBe("text/css; charset=utf-8");
  });

  test("lists the demo fans and creates new ones who have not followed yet", async () => {
    const before = await call("GET", "/sandbox/api/fans");
    expect(before.body.fans).toEqual(expect.arrayContaining([{ openid: DEMO_FAN, nickname: "张建国", subscribed: true }]));
    expect(before.body.safeMode).toBe(false);

    const created = await call("POST", "/sandbox/api/fans", { nickname: "  小刘  " });
    expect(created.status).toBe(201);
    expect(created.body.fan).toEqual({ openid: expect.stringMatching(/^oSandbox[A-Za-z0-9_-]{20}$/), nickname: "小刘", subscribed: false });
    const after = await call("GET", "/sandbox/api/fans");
    expect(after.body.fans).toContainEqual(created.body.fan);
  });

  test.each([
    ["an empty nickname", "POST", "/sandbox/api/fans", { nickname: "   " }, 400, "请填写昵称"],
    ["a long nickname", "POST", "/sandbox/api/fans", { nickname: "长".repeat(21) }, 400, "昵称最多 20 个字"],
    ["a nickname with a control character", "POST", "/sandbox/api/fans", { nickname: "a\u0007b" }, 400, "昵称含有不可见的控制字符"],
    ["a missing nickname", "POST", "/sandbox/api/fans", {}, 400, "昵称必须是文字"],
    ["a malformed openid", "GET", "/sandbox/api/fans/bad%20id/timeline", undefined, 400, "openid 格式不正确"],
    ["an unknown fan", "GET", "/sandbox/api/fans/oNobody000000000000000000000/timeline", undefined, 404, "没有这个粉丝，请刷新列表后重试"],
    ["a negative cursor", "GET", `/sandbox/api/fans/${DEMO_FAN}/timeline?since=-1`, undefined, 400, "since 不能为负数"],
    ["an unknown message type", "POST", `/sandbox/api/fans/${DEMO_FAN}/messages`, { type: "video" }, 400, "消息类型必须是 text、voice 或 location（图片请用上传）"],
    ["a blank text", "POST", `/sandbox/api/fans/${DEMO_FAN}/messages`, { type: "text", content: " \n " }, 400, "请输入消息内容"],
    ["a text too long", "POST", `/sandbox/api/fans/${DEMO_FAN}/messages`, { type: "text", content: "x".repeat(2001) }, 400, "消息最多 2000 个字"],
    ["a voice without words", "POST", `/sandbox/api/fans/${DEMO_FAN}/messages`, { type: "voice", recognition: "" }, 400, "请填写语音内容（识别文字）"],
    [
      "a latitude out of range",
      "POST",
      `/sandbox/api/fans/${DEMO_FAN}/messages`,
      { type: "location", latitude: 91, longitude: 104, label: "营业厅" },
      400,
      "纬度应在 -90 到 90 之间",
    ],
    ["a location without coordinates", "POST", `/sandbox/api/fans/${DEMO_FAN}/messages`, { type: "location", latitude: null, longitude: 1, label: "x" }, 400, "纬度必须是数字"],
    ["a menu tap out of range", "POST", `/sandbox/api/fans/${DEMO_FAN}/menu-taps`, { top: 3, name: "x" }, 400, "一级菜单最多 3 个"],
    ["a scan with both scene and ticket", "POST", `/sandbox/api/fans/${DEMO_FAN}/scans`, { scene: "a", ticket: "b" }, 400, "请填写二维码的场景值（或 ticket，二选一）"],
    ["a scan with neither", "POST", `/sandbox/api/fans/${DEMO_FAN}/scans`, {}, 400, "请填写二维码的场景值（或 ticket，二选一）"],
  ])("refuses %s with a clear message", async (_what, method, path, body, status, message) => {
    const answer = await call(method, path, body);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toMatchObject({ code: expect.any(String), message });
  });

  test("refuses bodies that are not JSON, and says so", async () => {
    const wrongType = await call("POST", "/sandbox/api/fans", "nickname=x", { "content-type": "application/x-www-form-urlencoded" });
    expect(wrongType).toEqual({ status: 415, body: { error: { code: "unsupported_media_type", message: expect.stringContaining("JSON") } } });
    const broken = await call("POST", "/sandbox/api/fans", "{nickname:", { "content-type": "application/json" });
    expect(broken).toEqual({ status: 400, body: { error: { code: "invalid_json", message: "请求体不是合法的 JSON" } } });
  });

  test("a new fan follows: the subscribe event reaches /wechat and the welcome reply comes back", async () => {
    const created = await call("POST", "/sandbox/api/fans", { nickname: "关注者" });
    const openid = created.body.fan.openid as string;
    expect(await call("POST", fanPath(openid, "/messages"), { type: "text", content: "在吗" })).toMatchObject({
      status: 409,
      body: { error: { code: "not_following", message: "请先关注公众号，才能给公众号发消息" } },
    });

    const followed = await call("POST", fanPath(openid, "/follow"));
    expect(followed.status).toBe(200);
    expect(followed.body.callback).toEqual({ ok: true, status: 200 });
    expect(followed.body.entries).toEqual([
      expect.objectContaining({ from: "fan", item: { kind: "event", event: "subscribe", label: "你关注了公众号" }, delivery: { state: "delivered", status: 200 } }),
      expect.objectContaining({ from: "account", via: "passive", item: { kind: "text", content: expect.stringContaining("欢迎关注水务客服") } }),
    ]);
    expect(await sandbox.inbound(openid)).toEqual([expect.objectContaining({ kind: "subscribe" })]);
    expect(await sandbox.server.dataSource.getRepository(Fan).findOneBy({ openid })).toMatchObject({ subscribed: true });
    expect((await call("POST", fanPath(openid, "/follow"))).body.error.code).toBe("already_following");

    const unfollowed = await call("POST", fanPath(openid, "/unfollow"));
    expect(unfollowed.body.entries).toEqual([expect.objectContaining({ item: expect.objectContaining({ event: "unsubscribe" }) })]);
    expect(await sandbox.server.dataSource.getRepository(Fan).findOneBy({ openid })).toMatchObject({ subscribed: false });
    // Following again straight away is a new event, not a retry of the first one.
    const again = await call("POST", fanPath(openid, "/follow"));
    expect(again.body.entries).toHaveLength(2);
    expect(await sandbox.inbound(openid, "subscribe")).toHaveLength(2);
  });

  test("text, voice and location messages arrive as WeChat sends them", async () => {
    const openid = await sandbox.follower();
    const sent = await call("POST", fanPath(openid, "/messages"), { type: "text", content: "你好\n我家停水了" });
    expect(sent.body.entries[0]).toMatchObject({ from: "fan", item: { kind: "text", content: "你好\n我家停水了" }, delivery: { state: "delivered" } });
    await call("POST", fanPath(openid, "/messages"), { type: "voice", recognition: "查一下水费" });
    await call("POST", fanPath(openid, "/messages"), { type: "location", latitude: 30.5728, longitude: 104.0668, label: "人民路 88 号" });

    const [text, voice, location] = await sandbox.inbound(openid, undefined).then((rows) => rows.filter((row) => row.kind !== "subscribe"));
    expect(text).toMatchObject({ kind: "text", payload: expect.objectContaining({ content: "你好\n我家停水了", toUserName: "gh_sandbox0001" }) });
    expect(BigInt(text.msgId!)).toBeGreaterThan(2n ** 53n);
    expect(voice).toMatchObject({ kind: "voice", payload: expect.objectContaining({ format: "amr", recognition: "查一下水费" }) });
    const voiceMedia = await sandbox.wechat(`/cgi-bin/media/get?media_id=${encodeURIComponent(String(voice.payload.mediaId))}`);
    expect(voiceMedia.status).toBe(200);
    expect(location).toMatchObject({ kind: "location", payload: expect.objectContaining({ latitude: 30.5728, longitude: 104.0668, scale: 15, label: "人民路 88 号" }) });
  });

  test("an uploaded image is stored in the fake's media and sent with a PicUrl the product can fetch", async () => {
    const openid = await sandbox.follower();
    const form = new FormData();
    form.append("image", new Blob([PNG], { type: "image/png" }), "水表.png");
    const sent = await call("POST", fanPath(openid, "/images"), form);
    expect(sent.status).toBe(200);
    expect(sent.body.entries[0].item).toEqual({ kind: "image", mediaId: expect.any(String), url: expect.stringMatching(/^\/sandbox\/wechat-api\/fake-media\//) });

    const [image] = await sandbox.inbound(openid, "image");
    const picUrl = String(image.payload.picUrl);
    expect(picUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sandbox\/wechat-api\/fake-media\//);
    const fetched = await fetch(picUrl);
    expect(fetched.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(PNG);
    expect(image.payload.mediaId).toBe(sent.body.entries[0].item.mediaId);
  });

  test("an upload that is not an image is refused by its bytes, whatever its name", async () => {
    const openid = await sandbox.follower();
    const form = new FormData();
    form.append("image", new Blob(["just text"], { type: "image/png" }), "fake.png");
    expect(await call("POST", fanPath(openid, "/images"), form)).toMatchObject({
      status: 400,
      body: { error: { code: "image_unsupported", message: "只能发送 PNG、JPEG、GIF、WebP 或 BMP 图片" } },
    });
    expect(await call("POST", fanPath(openid, "/images"), new FormData())).toMatchObject({ status: 400, body: { error: { code: "image_missing" } } });
    expect(await sandbox.inbound(openid, "image")).toEqual([]);
  });

  test("menu taps use the menu as published: click, view (with OAuth) and a menu that changed meanwhile", async () => {
    const openid = await sandbox.follower();
    // Published before any test here creates a menu: the page says so and taps are refused.
    expect(await call("GET", "/sandbox/api/menu")).toEqual({ status: 200, body: { menu: null, message: "公众号还没有发布自定义菜单" } });
    expect((await call("POST", fanPath(openid, "/menu-taps"), { top: 0, name: "查水费" })).body.error.code).toBe("menu_not_published");

    const oauthLink =
      "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wxsandbox00000001&redirect_uri=" +
      encodeURIComponent("http://127.0.0.1:3000/h5/bind?from=menu") +
      "&response_type=code&scope=snsapi_base&state=bind#wechat_redirect";
    const published = await sandbox.wechat("/cgi-bin/menu/create", {
      button: [
        { type: "click", name: "查水费", key: "BILL_QUERY" },
        {
          name: "办事",
          sub_button: [
            { type: "click", name: "报修", key: "REPAIR" },
            { type: "view", name: "绑定户号", url: oauthLink },
            { type: "scancode_push", name: "扫一扫", key: "SCAN_METER" },
          ],
        },
      ],
    });
    expect(published.body).toMatchObject({ errcode: 0 });
    const menu = await call("GET", "/sandbox/api/menu");
    expect(menu.body.menu).toEqual({
      menuId: expect.any(Number),
      buttons: [
        { name: "查水费", type: "click", subButtons: [] },
        {
          name: "办事",
          subButtons: [
            { name: "报修", type: "click" },
            { name: "绑定户号", type: "view" },
            { name: "扫一扫", type: "scancode_push" },
          ],
        },
      ],
    });

    const click = await call("POST", fanPath(openid, "/menu-taps"), { top: 1, sub: 0, name: "报修" });
    expect(click.body.entries[0].item).toEqual({ kind: "event", event: "CLICK", eventKey: "REPAIR", label: "你点击了菜单「报修」" });
    await call("POST", fanPath(openid, "/menu-taps"), { top: 1, sub: 0, name: "报修" });
    expect((await sandbox.inbound(openid, "click")).map((row) => row.payload.eventKey)).toEqual(["REPAIR", "REPAIR"]);

    const view = await call("POST", fanPath(openid, "/menu-taps"), { top: 1, sub: 1, name: "绑定户号" });
    const opened = new URL(view.body.open);
    expect(`${opened.origin}${opened.pathname}`).toBe("http://127.0.0.1:3000/h5/bind");
    expect(opened.searchParams.get("from")).toBe("menu");
    expect(opened.searchParams.get("state")).toBe("bind");
    const redeemed = await call(
      "GET",
      `/sandbox/wechat-api/sns/oauth2/access_token?appid=wxsandbox00000001&secret=sandbox-secret&code=${opened.searchParams.get("code")}&grant_type=authorization_code`,
    );
    expect(redeemed.body).toMatchObject({ openid });
    expect(await sandbox.inbound(openid, "view")).toEqual([expect.objectContaining({ payload: expect.objectContaining({ url: oauthLink }) })]);

    expect(await call("POST", fanPath(openid, "/menu-taps"), { top: 1, sub: 0, name: "旧菜单" })).toMatchObject({
      status: 409,
      body: { error: { code: "menu_changed", message: "菜单已更新，请刷新页面后再点" } },
    });
    expect((await call("POST", fanPath(openid, "/menu-taps"), { top: 1, name: "办事" })).body.error.code).toBe("menu_changed");
    expect((await call("POST", fanPath(openid, "/menu-taps"), { top: 1, sub: 2, name: "扫一扫" })).body.error).toMatchObject({
      code: "menu_button_unsupported",
      message: expect.stringContaining("scancode_push"),
    });
  });

  test("scanning a QR code: SCAN for a follower, a follow with qrscene_ for anyone else", async () => {
    const created = await sandbox.wechat("/cgi-bin/qrcode/create", {
      action_name: "QR_STR_SCENE",
      expire_seconds: 300,
      action_info: { scene: { scene_str: "agent-login:42" } },
    });
    const ticket = created.body.ticket as string;

    const follower = await sandbox.follower();
    const scanned = await call("POST", fanPath(follower, "/scans"), { scene: "agent-login:42" });
    expect(scanned.body.entries[0].item).toMatchObject({ event: "SCAN", eventKey: "agent-login:42" });
    expect(await sandbox.inbound(follower, "scan")).toEqual([
      expect.objectContaining({ payload: expect.objectContaining({ sceneKey: "agent-login:42", ticket }) }),
    ]);

    const stranger = (await call("POST", "/sandbox/api/fans", { nickname: "扫码的人" })).body.fan.openid as string;
    const joined = await call("POST", fanPath(stranger, "/scans"), { ticket });
    expect(joined.body.entries[0].item).toMatchObject({ event: "subscribe", eventKey: "qrscene_agent-login:42" });
    expect(await sandbox.inbound(stranger, "subscribe")).toEqual([
      expect.objectContaining({ payload: expect.objectContaining({ sceneKey: "agent-login:42", ticket }) }),
    ]);
    expect((await call("GET", fanPath(stranger, "/timeline"))).body.fan).toMatchObject({ subscribed: true });

    expect(await call("POST", fanPath(follower, "/scans"), { scene: "no-such-scene" })).toMatchObject({
      status: 404,
      body: { error: { message: "没有找到场景值为「no-such-scene」的二维码（可能未创建或已过期）" } },
    });
  });

  test("the timeline shows what the account sent, and a cursor returns only what is new", async () => {
    const openid = await sandbox.follower();
    const first = await call("GET", fanPath(openid, "/timeline"));
    expect(first.body).toMatchObject({ fan: { openid, subscribed: true }, reset: false, typing: false });
    expect(first.body.entries.map((entry: { from: string }) => entry.from)).toEqual(["fan", "account"]);

    await sandbox.wechat("/cgi-bin/message/custom/typing", { touser: openid, command: "Typing" });
    expect((await call("GET", fanPath(openid, `/timeline?since=${first.body.cursor}`))).body).toMatchObject({ entries: [], typing: true });

    await sandbox.wechat("/cgi-bin/message/custom/send", { touser: openid, msgtype: "text", text: { content: "您好，我是客服小王" } });
    const next = await call("GET", fanPath(openid, `/timeline?since=${first.body.cursor}`));
    expect(next.body.typing).toBe(false);
    expect(next.body.entries).toEqual([expect.objectContaining({ from: "account", via: "custom", item: { kind: "text", content: "您好，我是客服小王" } })]);
  });

  test("when /wechat fails the fan sees it, as WeChat shows a fan the account is unavailable", async () => {
    const openid = await sandbox.follower();
    jest.spyOn(sandbox.server.inbox, "handle").mockRejectedValueOnce(new Error("database down"));
    const sent = await call("POST", fanPath(openid, "/messages"), { type: "text", content: "有人吗" });
    expect(sent.status).toBe(200);
    expect(sent.body.callback).toEqual({ ok: false, status: 500, error: expect.stringContaining("HTTP 500") });
    expect(sent.body.entries).toEqual([expect.objectContaining({ delivery: { state: "failed", status: 500, error: expect.stringContaining("HTTP 500") } })]);
  });
});

describe("fan simulator (safe mode)", () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;

  beforeAll(async () => {
    sandbox = await startSandbox({ WECHAT_AES_KEY: TEST_AES_KEY });
  });
  afterAll(() => sandbox.close());

  test("pushes are encrypted and the encrypted welcome reply is opened", async () => {
    expect((await sandbox.call("GET", "/sandbox/api/fans")).body.safeMode).toBe(true);
    const created = await sandbox.call("POST", "/sandbox/api/fans", { nickname: "加密粉丝" });
    const openid = created.body.fan.openid as string;
    const fetchSpy = jest.spyOn(globalThis, "fetch");
    const followed = await sandbox.call("POST", sandbox.fanPath(openid, "/follow"));
    const push = fetchSpy.mock.calls.find(([url]) => String(url).includes("/wechat?"));
    fetchSpy.mockRestore();
    expect(String(push![0])).toContain("encrypt_type=aes");
    expect(String(push![1]!.body)).toMatch(/^<xml><ToUserName><!\[CDATA\[gh_sandbox0001\]\]><\/ToUserName><Encrypt>/);
    expect(followed.body.entries[1]).toMatchObject({ via: "passive", item: { kind: "text", content: expect.stringContaining("欢迎关注水务客服") } });
    await sandbox.call("POST", sandbox.fanPath(openid, "/messages"), { type: "text", content: "加密的你好" });
    const [subscribe, text] = await sandbox.inbound(openid);
    expect(subscribe.kind).toBe("subscribe");
    expect(text.rawXml).toContain("<Content><![CDATA[加密的你好]]></Content>");
  });
});
