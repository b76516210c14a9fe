import type { Socket } from "socket.io-client";
import { agentStatusService, type OfflineReason } from "../src/modules/agents/agentStatus";
import { Agent } from "../src/modules/agents/agent.entity";
import type { RunningServer } from "../src/server";
import { startFakeWechat } from "../src/sandbox/fakeWechat";
import { api, cookieFor, disconnected, makeAgent, nextEvent, openSocket, replyText, scan, sessionCookieFrom } from "./agentsHelpers";
import { createTestDatabase, REDIS_TEST_URL, testKeyPrefix, type TestDatabase } from "./support/mariadb";
import { startTestServer, TEST_APPID, TEST_SECRET } from "./support/testServer";

/**
 * Signing in to the console on MariaDB + Redis: the login QR code end to end (page → socket → WeChat
 * scan at /wechat → pushed code → cookie), its refusals, password login with its attempt limit, logout.
 */
describe("console login", () => {
  let db: TestDatabase;
  let fake: Awaited<ReturnType<typeof startFakeWechat>>;
  let server: RunningServer;
  const sockets: Socket[] = [];
  const offline: { agentId: string; reason: OfflineReason }[] = [];

  beforeAll(async () => {
    db = await createTestDatabase("login");
    fake = await startFakeWechat({ appId: TEST_APPID, appSecret: TEST_SECRET });
    server = await startTestServer({ databaseUrl: db.url, redisUrl: REDIS_TEST_URL, kvPrefix: testKeyPrefix("login"), wechatApiBase: fake.url, start: { dispatcher: false } });
    agentStatusService(server.context).onAgentOffline(async (agentId, reason) => {
      offline.push({ agentId, reason });
    });
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });

  afterAll(async () => {
    await server?.close();
    await fake?.close();
    await db?.drop();
  });

  const loginPage = async () => {
    const qr = await api(server, "GET", "/api/console/login/qr");
    expect(qr.status).toBe(200);
    const socket = await openSocket(server);
    sockets.push(socket);
    return { scene: qr.body.scene as string, qr: qr.body, socket };
  };

  describe("by scanning the login QR code", () => {
    it("logs a bound agent in on the page that shows the code: pushed code → exchange → cookie → /me", async () => {
      const agent = await makeAgent(server, { name: "王芳", openid: "oAgentPhone0000000000000001" });
      const { scene, qr, socket } = await loginPage();
      expect(scene).toMatch(/^login_[A-Za-z0-9_-]{24}$/);
      expect(qr.imageUrl).toContain("showqrcode?ticket=");
      const lifetime = Date.parse(qr.expiresAt) - Date.now();
      expect(lifetime).toBeGreaterThan(170_000);
      expect(lifetime).toBeLessThanOrEqual(180_000);
      const created = [...fake.state.qrCodes.values()].find((code) => code.sceneStr === scene);
      expect(created).toMatchObject({ actionName: "QR_STR_SCENE" });

      expect(await socket.emitWithAck("login:watch", scene)).toEqual({ ok: true, status: "pending" });
      const done = nextEvent(socket, "login:done");
      const callback = await scan(server, agent.wechatOpenid!, scene);
      expect(callback.status).toBe(200);
      expect(replyText(callback)).toContain("登录成功");
      expect(replyText(callback)).toContain("王芳");
      const { code } = await done;
      expect(typeof code).toBe("string");

      const exchange = await api(server, "POST", "/api/console/login/qr/exchange", { body: { scene, code } });
      expect(exchange.status).toBe(200);
      expect(exchange.body.agent).toMatchObject({ id: agent.id, name: "王芳", status: "online", bound: true });
      expect(exchange.body.settings).toMatchObject({ autoAccept: false, capacity: 5, sendKey: "enter" });
      const setCookie = exchange.headers.getSetCookie().join("\n");
      expect(setCookie).toMatch(/shuiwu_session=[^;]+;.*httponly/i);
      expect(setCookie).toMatch(/samesite=lax/i);
      expect(setCookie).not.toMatch(/secure/i); // PUBLIC_URL is http here

      const me = await api(server, "GET", "/api/console/me", { cookie: sessionCookieFrom(exchange) });
      expect(me.status).toBe(200);
      expect(me.body.agent).toMatchObject({ id: agent.id, status: "online" });

      // Single use: the code cannot be exchanged twice, the scene is gone, and a second scan is told so.
      expect((await api(server, "POST", "/api/console/login/qr/exchange", { body: { scene, code } })).status).toBe(400);
      expect((await api(server, "GET", `/api/console/login/qr/${scene}`)).body).toEqual({ status: "expired" });
      expect(replyText(await scan(server, agent.wechatOpenid!, scene))).toContain("登录二维码已失效");
    });

    it("logs in someone who follows the account by scanning, instead of welcoming them", async () => {
      const agent = await makeAgent(server, { openid: "oAgentPhone0000000000000002" });
      const { scene, socket } = await loginPage();
      await socket.emitWithAck("login:watch", scene);
      const done = nextEvent(socket, "login:done");
      const callback = await scan(server, agent.wechatOpenid!, scene, { follow: true });
      expect(replyText(callback)).toContain("登录成功");
      expect(replyText(callback)).not.toContain("欢迎关注");
      const { code } = await done;
      expect((await api(server, "POST", "/api/console/login/qr/exchange", { body: { scene, code } })).status).toBe(200);
    });

    it("refuses an unbound WeChat: the scanner is told by reply, the page gets login:refused, a bound scan still works", async () => {
      const agent = await makeAgent(server, { openid: "oAgentPhone0000000000000003" });
      const { scene, socket } = await loginPage();
      await socket.emitWithAck("login:watch", scene);
      const refused = nextEvent(socket, "login:refused");
      const callback = await scan(server, "oStranger000000000000000001", scene);
      expect(replyText(callback)).toBe("您的微信尚未绑定客服账号，无法登录客服工作台。请联系管理员获取绑定二维码，绑定后再扫码登录。");
      expect(await refused).toEqual({ scene, message: expect.stringContaining("尚未绑定") });
      expect((await api(server, "GET", `/api/console/login/qr/${scene}`)).body).toMatchObject({ status: "refused" });
      // Nobody was signed in.
      expect((await api(server, "POST", "/api/console/login/qr/exchange", { body: { scene, code: "guess" } })).status).toBe(400);

      const done = nextEvent(socket, "login:done");
      expect(replyText(await scan(server, agent.wechatOpenid!, scene))).toContain("登录成功");
      expect(await done).toMatchObject({ scene });
    });

    it("does not log in a deleted agent's WeChat", async () => {
      const agent = await makeAgent(server, { openid: "oAgentPhone0000000000000004" });
      await server.dataSource.getRepository(Agent).update(agent.id, { deletedAt: new Date() });
      const { scene } = await loginPage();
      expect(replyText(await scan(server, agent.wechatOpenid!, scene))).toContain("尚未绑定");
    });

    it("tells the scanner an expired or unknown code has expired, and the page's poll says expired", async () => {
      const agent = await makeAgent(server, { openid: "oAgentPhone0000000000000005" });
      const { scene } = await loginPage();
      // The 3-minute lifetime is the store's TTL: ending it early is what the passing of time does.
      expect(await server.kv.ttl(`login-qr:${scene}`)).toBeGreaterThan(170_000);
      await server.kv.delete(`login-qr:${scene}`);
      expect(replyText(await scan(server, agent.wechatOpenid!, scene))).toContain("登录二维码已失效");
      expect((await api(server, "GET", `/api/console/login/qr/${scene}`)).body).toEqual({ status: "expired" });
      expect(replyText(await scan(server, agent.wechatOpenid!, "login_neverIssued00000000000"))).toContain("已失效");
    });

    it("lets only the first of two bound WeChats log in with one code", async () => {
      const first = await makeAgent(server, { openid: "oAgentPhone0000000000000006" });
      const second = await makeAgent(server, { openid: "oAgentPhone0000000000000007" });
      const { scene } = await loginPage();
      const replies = await Promise.all([scan(server, first.wechatOpenid!, scene), scan(server, second.wechatOpenid!, scene)]);
      const texts = replies.map(replyText);
      expect(texts.filter((text) => text?.includes("登录成功"))).toHaveLength(1);
      expect(texts.filter((text) => text?.includes("已失效"))).toHaveLength(1);
    });

    it("offers a poll fallback: pending, then done with the code", async () => {
      const agent = await makeAgent(server, { openid: "oAgentPhone0000000000000008" });
      const { scene } = await loginPage();
      const pending = await api(server, "GET", `/api/console/login/qr/${scene}`);
      expect(pending.body).toMatchObject({ status: "pending", expiresAt: expect.any(String) });
      expect(pending.headers.get("cache-control")).toBe("no-store");
      await scan(server, agent.wechatOpenid!, scene);
      const done = await api(server, "GET", `/api/console/login/qr/${scene}`);
      expect(done.body).toMatchObject({ status: "done", code: expect.any(String) });
      const exchange = await api(server, "POST", "/api/console/login/qr/exchange", { body: { scene, code: done.body.code } });
      expect(exchange.status).toBe(200);
    });

    it("tells a page that starts watching after the scan at once", async () => {
      const agent = await makeAgent(server, { openid: "oAgentPhone0000000000000009" });
      const { scene, socket } = await loginPage();
      await scan(server, agent.wechatOpenid!, scene);
      const done = nextEvent(socket, "login:done");
      expect(await socket.emitWithAck("login:watch", scene)).toEqual({ ok: true, status: "done" });
      expect(await done).toMatchObject({ scene, code: expect.any(String) });
    });

    it("rejects a wrong code and answers an unknown scene's watch with expired", async () => {
      const agent = await makeAgent(server, { openid: "oAgentPhone0000000000000010" });
      const { scene, socket } = await loginPage();
      await scan(server, agent.wechatOpenid!, scene);
      const wrong = await api(server, "POST", "/api/console/login/qr/exchange", { body: { scene, code: "x".repeat(32) } });
      expect(wrong).toMatchObject({ status: 400, body: { error: { code: "login_expired", message: "登录已失效，请刷新二维码后重新扫码" } } });
      expect(await socket.emitWithAck("login:watch", "login_neverIssued00000000000")).toMatchObject({ ok: false, status: "expired" });
      expect(socket.connected).toBe(true);
      const invalid = await api(server, "POST", "/api/console/login/qr/exchange", { body: { scene } });
      expect(invalid).toMatchObject({ status: 400, body: { error: { code: "invalid_input", message: "缺少登录凭证" } } });
    });
  });

  describe("by password", () => {
    let admin: Agent;
    beforeAll(async () => {
      admin = await makeAgent(server, { role: "admin", name: "管理员甲", jobNumber: "pwadmin", password: "correct-horse" });
    });

    const login = (jobNumber: string, password: string, ip: string) =>
      api(server, "POST", "/api/console/login/password", { body: { jobNumber, password }, headers: { "x-forwarded-for": ip } });

    it("signs an admin in with the right password and sets the session cookie", async () => {
      const response = await login("pwadmin", "correct-horse", "10.0.0.1");
      expect(response.status).toBe(200);
      expect(response.body.agent).toMatchObject({ id: admin.id, role: "admin", hasPassword: true });
      expect((await api(server, "GET", "/api/console/me", { cookie: sessionCookieFrom(response) })).status).toBe(200);
      const stored = await server.dataSource.getRepository(Agent).findOneByOrFail({ id: admin.id });
      expect(stored.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$/);
      expect(stored.passwordHash).not.toContain("correct-horse");
    });

    it("answers an unknown 工号, a wrong password and a QR-only agent alike", async () => {
      await makeAgent(server, { jobNumber: "qronly" });
      const answers = await Promise.all([login("nobody", "whatever1", "10.0.1.1"), login("pwadmin", "wrong-horse", "10.0.1.2"), login("qronly", "whatever1", "10.0.1.3")]);
      for (const answer of answers) {
        expect(answer).toMatchObject({ status: 401, body: { error: { code: "invalid_credentials", message: "工号或密码错误" } } });
      }
    });

    it("stops a 工号 after 5 failed attempts in 15 minutes, even with the right password, from any IP", async () => {
      await makeAgent(server, { role: "admin", jobNumber: "pwlimit", password: "right-password" });
      for (let i = 0; i < 5; i++) expect((await login("pwlimit", `wrong-${i}-password`, `10.1.0.${i}`)).status).toBe(401);
      const blocked = await login("pwlimit", "right-password", "10.1.0.99");
      expect(blocked.status).toBe(429);
      expect(blocked.body.error.message).toMatch(/^密码错误次数过多，请 1[45] 分钟后再试$/);
      expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(800);
    });

    it("stops an IP after 5 failed attempts, whatever the 工号", async () => {
      for (let i = 0; i < 5; i++) expect((await login(`ghost${i}`, "wrong-password", "10.2.0.1")).status).toBe(401);
      expect((await login("pwadmin", "correct-horse", "10.2.0.1")).status).toBe(429);
      expect((await login("pwadmin", "correct-horse", "10.2.0.2")).status).toBe(200);
    });

    it("lets no more than 5 of 20 concurrent guesses be tried", async () => {
      await makeAgent(server, { role: "admin", jobNumber: "pwburst", password: "right-password" });
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => login("pwburst", `guess-${i}-password`, `10.3.${i}.1`)));
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses.filter((status) => status === 401)).toHaveLength(5);
      expect(statuses.filter((status) => status === 429)).toHaveLength(15);
    });

    it("clears a 工号's failures after a success", async () => {
      await makeAgent(server, { role: "admin", jobNumber: "pwreset", password: "right-password" });
      for (let i = 0; i < 4; i++) await login("pwreset", "wrong-password", `10.4.0.${i}`);
      expect((await login("pwreset", "right-password", "10.4.1.1")).status).toBe(200);
      for (let i = 0; i < 4; i++) expect((await login("pwreset", "wrong-password", `10.4.2.${i}`)).status).toBe(401);
    });

    it("validates the body", async () => {
      expect(await login("", "x", "10.5.0.1")).toMatchObject({ status: 400, body: { error: { message: "请填写工号" } } });
      const notJson = await fetch(`${server.url}/api/console/login/password`, { method: "POST", headers: { "content-type": "text/plain" }, body: "a" });
      expect(notJson.status).toBe(415);
    });
  });

  describe("logout", () => {
    it("ends every session of the agent, sets them offline (releasing conversations) and closes their sockets", async () => {
      const agent = await makeAgent(server);
      const here = await cookieFor(server, agent);
      const elsewhere = await cookieFor(server, agent);
      await api(server, "PUT", "/api/console/me/status", { cookie: here, body: { status: "online" } });
      const socket = await openSocket(server, elsewhere);
      sockets.push(socket);
      const ended = nextEvent(socket, "session:ended");
      const gone = disconnected(socket);

      const response = await api(server, "POST", "/api/console/logout", { cookie: here });
      expect(response.status).toBe(204);
      expect(response.headers.getSetCookie().join("\n")).toMatch(/shuiwu_session=;.*expires=Thu, 01 Jan 1970/i);
      expect(await ended).toEqual({ reason: "logout", message: "您已退出登录" });
      expect(await gone).toBe("io server disconnect");

      expect((await api(server, "GET", "/api/console/me", { cookie: here })).status).toBe(401);
      expect((await api(server, "GET", "/api/console/me", { cookie: elsewhere })).status).toBe(401);
      expect((await server.dataSource.getRepository(Agent).findOneByOrFail({ id: agent.id })).status).toBe("offline");
      expect(offline).toContainEqual({ agentId: agent.id, reason: "logout" });
      // A new login works again.
      expect((await api(server, "GET", "/api/console/me", { cookie: await cookieFor(server, agent) })).status).toBe(200);
    });

    it("just clears the cookie without a session", async () => {
      const response = await api(server, "POST", "/api/console/logout");
      expect(response.status).toBe(204);
    });
  });
});
