import type { Socket } from "socket.io-client";
import { Agent, AgentGroup } from "../src/modules/agents/agent.entity";
import { agentDirectory } from "../src/modules/agents/agentDirectory";
import { agentStatusService, type OfflineReason } from "../src/modules/agents/agentStatus";
import type { RunningServer } from "../src/server";
import { startFakeWechat } from "../src/sandbox/fakeWechat";
import { api, collect, cookieFor, disconnected, makeAgent, nextEvent, openSocket, replyText, scan } from "./agentsHelpers";
import { createTestDatabase, REDIS_TEST_URL, testKeyPrefix, type TestDatabase } from "./support/mariadb";
import { startTestServer, TEST_APPID, TEST_SECRET } from "./support/testServer";

/**
 * Agents administration, WeChat binding, the signed-in agent's settings and status, on MariaDB + Redis
 * through the console API (and /wechat for the binding scans).
 */
describe("agents", () => {
  let db: TestDatabase;
  let fake: Awaited<ReturnType<typeof startFakeWechat>>;
  let server: RunningServer;
  let admin: Agent;
  let adminCookie: string;
  let supervisorCookie: string;
  let agentCookie: string;
  const sockets: Socket[] = [];
  const offline: { agentId: string; reason: OfflineReason }[] = [];
  const available: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase("agents");
    fake = await startFakeWechat({ appId: TEST_APPID, appSecret: TEST_SECRET });
    server = await startTestServer({ databaseUrl: db.url, redisUrl: REDIS_TEST_URL, kvPrefix: testKeyPrefix("agents"), wechatApiBase: fake.url, start: { dispatcher: false } });
    const status = agentStatusService(server.context);
    status.onAgentOffline(async (agentId, reason) => {
      offline.push({ agentId, reason });
    });
    status.onAgentAvailable(async (agentId) => {
      available.push(agentId);
    });
    admin = await makeAgent(server, { role: "admin", name: "管理员" });
    adminCookie = await cookieFor(server, admin);
    supervisorCookie = await cookieFor(server, await makeAgent(server, { role: "supervisor", name: "组长" }));
    agentCookie = await cookieFor(server, await makeAgent(server, { role: "agent", name: "客服" }));
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });

  afterAll(async () => {
    await server?.close();
    await fake?.close();
    await db?.drop();
  });

  const socketOf = async (cookie: string) => {
    const socket = await openSocket(server, cookie);
    sockets.push(socket);
    return socket;
  };

  describe("who may call what", () => {
    const someId = "01900000-0000-7000-8000-000000000000";
    const adminOnly: [string, string, unknown?][] = [
      ["GET", "/api/console/agents"],
      ["POST", "/api/console/agents", { name: "甲", jobNumber: "x1", role: "agent" }],
      ["GET", `/api/console/agents/${someId}`],
      ["PATCH", `/api/console/agents/${someId}`, { name: "乙" }],
      ["DELETE", `/api/console/agents/${someId}`],
      ["POST", `/api/console/agents/${someId}/binding-qr`],
      ["GET", `/api/console/agents/${someId}/binding-qr`],
      ["DELETE", `/api/console/agents/${someId}/binding`],
      ["POST", "/api/console/agent-groups", { name: "组" }],
      ["PATCH", `/api/console/agent-groups/${someId}`, { name: "组" }],
      ["DELETE", `/api/console/agent-groups/${someId}`],
    ];
    const anyAgent: [string, string, unknown?][] = [
      ["GET", "/api/console/me"],
      ["PATCH", "/api/console/me/settings", { sendKey: "enter" }],
      ["PUT", "/api/console/me/status", { status: "away" }],
      ["GET", "/api/console/agent-groups"],
      ["GET", "/api/console/internal/colleagues"],
      ["GET", `/api/console/internal/messages?with=${someId}`],
      ["POST", "/api/console/internal/messages", { to: someId, content: "在吗" }],
      ["POST", "/api/console/internal/messages/read", { with: someId }],
    ];

    // Rows as objects: a row shorter than the test's parameters would make jest pass `done` as the body.
    const rows = (table: [string, string, unknown?][]) => table.map(([method, path, body]) => ({ method, path, body }));

    it.each(rows(adminOnly))("$method $path: 401 without a session, 403 for agents and supervisors", async ({ method, path, body }) => {
      const anonymous = await api(server, method, path, { body });
      expect(anonymous).toMatchObject({ status: 401, body: { error: { code: "unauthorized", message: "未登录或登录已失效" } } });
      expect((await api(server, method, path, { body, cookie: agentCookie })).body).toMatchObject({ error: { code: "forbidden", message: "无权执行此操作" } });
      expect((await api(server, method, path, { body, cookie: supervisorCookie })).status).toBe(403);
      expect([200, 201, 204, 404]).toContain((await api(server, method, path, { body, cookie: adminCookie })).status);
    });

    it.each(rows(anyAgent))("$method $path: 401 without a session, allowed for an agent", async ({ method, path, body }) => {
      expect((await api(server, method, path, { body })).status).toBe(401);
      expect([200, 201, 404]).toContain((await api(server, method, path, { body, cookie: agentCookie })).status);
    });

    it("refuses a forged or stale cookie", async () => {
      expect((await api(server, "GET", "/api/console/me", { cookie: "shuiwu_session=forged" })).status).toBe(401);
    });
  });

  describe("administration", () => {
    it("creates an agent with defaults and lists it among the unbound", async () => {
      const created = await api(server, "POST", "/api/console/agents", { cookie: adminCookie, body: { name: " 陈静 ", jobNumber: "2001", role: "agent" } });
      expect(created.status).toBe(201);
      expect(created.body.agent).toMatchObject({
        name: "陈静",
        jobNumber: "2001",
        role: "agent",
        groupId: null,
        capacity: 5,
        status: "offline",
        bound: false,
        hasPassword: false,
        wechatOpenid: null,
      });
      const unbound = await api(server, "GET", "/api/console/agents?bound=false", { cookie: adminCookie });
      expect(unbound.body.agents.map((agent: { jobNumber: string }) => agent.jobNumber)).toContain("2001");
      expect(unbound.body.agents.every((agent: { bound: boolean }) => !agent.bound)).toBe(true);
      const search = await api(server, "GET", `/api/console/agents?q=${encodeURIComponent("陈")}`, { cookie: adminCookie });
      expect(search.body.agents).toHaveLength(1);
    });

    it("creates an admin with a password and a group member with a capacity", async () => {
      const group = await api(server, "POST", "/api/console/agent-groups", { cookie: adminCookie, body: { name: "热线组" } });
      expect(group.status).toBe(201);
      const created = await api(server, "POST", "/api/console/agents", {
        cookie: adminCookie,
        body: { name: "赵磊", jobNumber: "2002", role: "admin", groupId: group.body.group.id, capacity: 0, password: "s3cret-pass" },
      });
      expect(created.body.agent).toMatchObject({ role: "admin", capacity: 0, hasPassword: true, groupId: group.body.group.id, groupName: "热线组" });
      const login = await api(server, "POST", "/api/console/login/password", { body: { jobNumber: "2002", password: "s3cret-pass" } });
      expect(login.status).toBe(200);
    });

    it.each([
      [{ jobNumber: "3001", role: "agent" }, "请填写姓名"],
      [{ name: "  ", jobNumber: "3001", role: "agent" }, "请填写姓名"],
      [{ name: "甲".repeat(21), jobNumber: "3001", role: "agent" }, "姓名最多 20 个字"],
      [{ name: "甲", role: "agent" }, "请填写工号"],
      [{ name: "甲", jobNumber: "30 01", role: "agent" }, "工号只能包含字母、数字、下划线和连字符"],
      [{ name: "甲", jobNumber: "1".repeat(21), role: "agent" }, "工号最多 20 位"],
      [{ name: "甲", jobNumber: "3001", role: "boss" }, "角色必须是 agent（客服）、supervisor（组长）或 admin（管理员）"],
      [{ name: "甲", jobNumber: "3001", role: "agent", capacity: -1 }, "接待上限不能小于 0（0 表示忙碌，不分配新会话）"],
      [{ name: "甲", jobNumber: "3001", role: "agent", capacity: 1.5 }, "接待上限必须是整数"],
      [{ name: "甲", jobNumber: "3001", role: "agent", capacity: "5" }, "接待上限必须是数字"],
      [{ name: "甲", jobNumber: "3001", role: "agent", password: "longenough" }, "只有管理员账号可以设置登录密码"],
      [{ name: "甲", jobNumber: "3001", role: "admin", password: "short" }, "密码至少 8 位"],
      [{ name: "甲", jobNumber: "3001", role: "agent", groupId: "nope" }, "分组不存在"],
      [{ name: "甲", jobNumber: "3001", role: "agent", wechatOpenid: "oX" }, "请求中有不认识的字段：wechatOpenid"],
      [[], "请求体必须是 JSON 对象"],
    ])("refuses %j with “%s” and creates nothing", async (body, message) => {
      const response = await api(server, "POST", "/api/console/agents", { cookie: adminCookie, body });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ code: "invalid_input", message });
      expect(await server.dataSource.getRepository(Agent).countBy({ jobNumber: "3001" })).toBe(0);
    });

    it("refuses a group that does not exist", async () => {
      const response = await api(server, "POST", "/api/console/agents", {
        cookie: adminCookie,
        body: { name: "甲", jobNumber: "3002", role: "agent", groupId: "01900000-0000-7000-8000-000000000000" },
      });
      expect(response).toMatchObject({ status: 400, body: { error: { code: "group_not_found" } } });
    });

    it("answers a duplicate 工号 with 409, also in another letter case and under concurrent creates", async () => {
      await api(server, "POST", "/api/console/agents", { cookie: adminCookie, body: { name: "周一", jobNumber: "Dup01", role: "agent" } });
      const again = await api(server, "POST", "/api/console/agents", { cookie: adminCookie, body: { name: "周二", jobNumber: "dup01", role: "agent" } });
      expect(again).toMatchObject({ status: 409, body: { error: { code: "job_number_taken", message: "工号 dup01 已被 周一 使用" } } });

      const racing = await Promise.all(
        Array.from({ length: 6 }, (_, i) => api(server, "POST", "/api/console/agents", { cookie: adminCookie, body: { name: `并发${i}`, jobNumber: "race01", role: "agent" } })),
      );
      expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    });

    it("updates an agent, with 409 on a taken 工号", async () => {
      const { body } = await api(server, "POST", "/api/console/agents", { cookie: adminCookie, body: { name: "孙悦", jobNumber: "4001", role: "agent" } });
      await api(server, "POST", "/api/console/agents", { cookie: adminCookie, body: { name: "钱多", jobNumber: "4002", role: "agent" } });
      const updated = await api(server, "PATCH", `/api/console/agents/${body.agent.id}`, { cookie: adminCookie, body: { name: "孙悦悦", capacity: 8, role: "supervisor" } });
      expect(updated.status).toBe(200);
      expect(updated.body.agent).toMatchObject({ name: "孙悦悦", capacity: 8, role: "supervisor", jobNumber: "4001" });
      const taken = await api(server, "PATCH", `/api/console/agents/${body.agent.id}`, { cookie: adminCookie, body: { jobNumber: "4002" } });
      expect(taken).toMatchObject({ status: 409, body: { error: { code: "job_number_taken" } } });
      // Keeping one's own 工号 is not a conflict.
      expect((await api(server, "PATCH", `/api/console/agents/${body.agent.id}`, { cookie: adminCookie, body: { jobNumber: "4001" } })).status).toBe(200);
      const invalid = await api(server, "PATCH", `/api/console/agents/${body.agent.id}`, { cookie: adminCookie, body: { capacity: 101 } });
      expect(invalid.body.error.message).toBe("接待上限最多 100");
    });

    it("takes the password away when an admin becomes an agent, and keeps at least one admin", async () => {
      const { body } = await api(server, "POST", "/api/console/agents", {
        cookie: adminCookie,
        body: { name: "吴刚", jobNumber: "4101", role: "admin", password: "password-1" },
      });
      const demoted = await api(server, "PATCH", `/api/console/agents/${body.agent.id}`, { cookie: adminCookie, body: { role: "agent" } });
      expect(demoted.body.agent).toMatchObject({ role: "agent", hasPassword: false });
      const password = await api(server, "PATCH", `/api/console/agents/${body.agent.id}`, { cookie: adminCookie, body: { password: "password-2" } });
      expect(password.body.error).toMatchObject({ code: "password_not_allowed", message: "只有管理员账号可以设置登录密码" });
      const own = await api(server, "PATCH", `/api/console/agents/${admin.id}`, { cookie: adminCookie, body: { role: "agent" } });
      expect(own.body.error).toMatchObject({ code: "own_role", message: "不能修改自己的角色" });
    });

    it("leaves one admin when two admins demote each other at once", async () => {
      const [one, two] = [await makeAgent(server, { role: "admin" }), await makeAgent(server, { role: "admin" })];
      const others = await server.dataSource.getRepository(Agent).find({ where: { role: "admin" } });
      const bystanders = others.filter((agent) => agent.id !== one.id && agent.id !== two.id);
      await server.dataSource.getRepository(Agent).update(bystanders.map((agent) => agent.id), { role: "supervisor" });
      try {
        const [oneCookie, twoCookie] = [await cookieFor(server, one), await cookieFor(server, two)];
        const answers = await Promise.all([
          api(server, "PATCH", `/api/console/agents/${two.id}`, { cookie: oneCookie, body: { role: "agent" } }),
          api(server, "PATCH", `/api/console/agents/${one.id}`, { cookie: twoCookie, body: { role: "agent" } }),
        ]);
        expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
        const loser = answers.find((answer) => answer.status !== 200)!;
        // Refused by the locked count, or (when it came second) by no longer being an admin.
        expect([409, 403]).toContain(loser.status);
        if (loser.status === 409) expect(loser.body.error).toMatchObject({ code: "last_admin", message: "至少需要保留一名管理员" });
        expect(await server.dataSource.getRepository(Agent).countBy({ role: "admin" })).toBe(1);
      } finally {
        await server.dataSource.getRepository(Agent).update(bystanders.map((agent) => agent.id), { role: "admin" });
      }
    });

    it("deletes softly: history stays, the 工号 and WeChat ID are free again, sessions and sockets end, conversations are released", async () => {
      const doomed = await makeAgent(server, { name: "离职者", jobNumber: "5001", openid: "oLeaver00000000000000000001" });
      const doomedCookie = await cookieFor(server, doomed);
      await api(server, "PUT", "/api/console/me/status", { cookie: doomedCookie, body: { status: "online" } });
      const socket = await socketOf(doomedCookie);
      const colleague = await socketOf(agentCookie);
      const ended = nextEvent(socket, "session:ended");
      const gone = disconnected(socket);
      const statusSeen = nextEvent(colleague, "agent:status");

      const response = await api(server, "DELETE", `/api/console/agents/${doomed.id}`, { cookie: adminCookie });
      expect(response.status).toBe(204);
      expect(await ended).toEqual({ reason: "deleted", message: "您的客服账号已被删除" });
      expect(await gone).toBe("io server disconnect");
      expect(await statusSeen).toMatchObject({ agentId: doomed.id, status: "offline" });
      expect(offline).toContainEqual({ agentId: doomed.id, reason: "deleted" });

      const row = await server.dataSource.getRepository(Agent).findOneByOrFail({ id: doomed.id });
      expect(row.deletedAt).not.toBeNull();
      expect(row.jobNumber).toMatch(/^5001#[0-9a-f]{12}$/);
      expect(row.wechatOpenid).toBeNull();
      expect(row.status).toBe("offline");
      expect((await api(server, "GET", "/api/console/me", { cookie: doomedCookie })).status).toBe(401);
      expect((await api(server, "GET", `/api/console/agents/${doomed.id}`, { cookie: adminCookie })).status).toBe(404);
      expect((await api(server, "DELETE", `/api/console/agents/${doomed.id}`, { cookie: adminCookie })).status).toBe(404);
      const list = await api(server, "GET", "/api/console/agents", { cookie: adminCookie });
      expect(list.body.agents.find((agent: { id: string }) => agent.id === doomed.id)).toBeUndefined();

      const successor = await api(server, "POST", "/api/console/agents", { cookie: adminCookie, body: { name: "接任者", jobNumber: "5001", role: "agent" } });
      expect(successor.status).toBe(201);
      expect(await agentDirectory(server.context).findByOpenid("oLeaver00000000000000000001")).toBeNull();
    });

    it("refuses to delete oneself", async () => {
      const response = await api(server, "DELETE", `/api/console/agents/${admin.id}`, { cookie: adminCookie });
      expect(response.body.error).toMatchObject({ code: "delete_self", message: "不能删除自己的账号" });
    });

    it("moves a socket to its new rooms when an admin changes the agent's role", async () => {
      const agent = await makeAgent(server);
      const socket = await socketOf(await cookieFor(server, agent));
      const supervisorEvents = collect(socket, "alert");
      server.context.realtime.toSupervisors("alert", { n: 1 });
      await api(server, "PATCH", `/api/console/agents/${agent.id}`, { cookie: adminCookie, body: { role: "supervisor" } });
      // The move goes through the Redis adapter (it reaches sockets on every instance) and lands a moment
      // after the response: keep publishing until it arrives.
      const promoted = nextEvent(socket, "alert");
      const publisher = setInterval(() => server.context.realtime.toSupervisors("alert", { n: 2 }), 50);
      try {
        expect(await promoted).toEqual({ n: 2 });
      } finally {
        clearInterval(publisher);
      }
      expect(supervisorEvents.length).toBeGreaterThan(0);
      expect(supervisorEvents.every((event) => (event as { n: number }).n === 2)).toBe(true); // nothing from before
    });
  });

  describe("groups", () => {
    it("creates, renames and deletes groups; names are unique; a group with members is kept", async () => {
      const created = await api(server, "POST", "/api/console/agent-groups", { cookie: adminCookie, body: { name: "夜班组" } });
      expect(created.body.group).toMatchObject({ name: "夜班组", memberCount: 0 });
      const groupId = created.body.group.id;
      expect((await api(server, "POST", "/api/console/agent-groups", { cookie: adminCookie, body: { name: "夜班组" } })).body.error).toMatchObject({
        code: "group_name_taken",
        message: "分组「夜班组」已存在",
      });
      expect((await api(server, "POST", "/api/console/agent-groups", { cookie: adminCookie, body: { name: "" } })).body.error.message).toBe("请填写分组名称");

      await makeAgent(server, { groupId });
      const renamed = await api(server, "PATCH", `/api/console/agent-groups/${groupId}`, { cookie: adminCookie, body: { name: "晚班组" } });
      expect(renamed.body.group).toMatchObject({ name: "晚班组", memberCount: 1 });
      const listed = await api(server, "GET", "/api/console/agent-groups", { cookie: agentCookie });
      expect(listed.body.groups).toContainEqual(expect.objectContaining({ id: groupId, name: "晚班组", memberCount: 1 }));

      const refused = await api(server, "DELETE", `/api/console/agent-groups/${groupId}`, { cookie: adminCookie });
      expect(refused).toMatchObject({ status: 409, body: { error: { code: "group_not_empty", message: "分组「晚班组」下还有 1 名客服，请先把他们调到其他分组" } } });
      await server.dataSource.getRepository(Agent).update({ groupId }, { groupId: null });
      expect((await api(server, "DELETE", `/api/console/agent-groups/${groupId}`, { cookie: adminCookie })).status).toBe(204);
      expect(await server.dataSource.getRepository(AgentGroup).existsBy({ id: groupId })).toBe(false);
    });
  });

  describe("WeChat binding", () => {
    const issue = async (agentId: string) => {
      const response = await api(server, "POST", `/api/console/agents/${agentId}/binding-qr`, { cookie: adminCookie });
      expect(response.status).toBe(201);
      return response.body as { scene: string; imageUrl: string; expiresAt: string };
    };

    it("binds the WeChat that scans the agent's code, tells admins and answers the scanner", async () => {
      const agent = await makeAgent(server, { name: "新同事" });
      const adminSocket = await socketOf(adminCookie);
      const qr = await issue(agent.id);
      expect(qr.scene).toMatch(/^bind_[A-Za-z0-9_-]{24}$/);
      expect(Date.parse(qr.expiresAt) - Date.now()).toBeGreaterThan(7 * 24 * 3600_000 - 60_000);
      const fakeCode = [...fake.state.qrCodes.values()].find((code) => code.sceneStr === qr.scene);
      expect(fakeCode?.expiresAt && fakeCode.expiresAt.getTime() - Date.now()).toBeGreaterThan(7 * 24 * 3600_000 - 60_000);
      expect((await api(server, "GET", `/api/console/agents/${agent.id}/binding-qr`, { cookie: adminCookie })).body).toEqual(qr);

      const done = nextEvent(adminSocket, "binding:done");
      const callback = await scan(server, "oNewColleague00000000000001", qr.scene, { follow: true });
      expect(replyText(callback)).toBe("绑定成功：您的微信已绑定客服账号 新同事（工号 " + agent.jobNumber + "）。今后请用本微信扫描客服工作台的登录二维码登录。");
      expect(await done).toMatchObject({ agent: { id: agent.id, bound: true } });
      expect((await server.dataSource.getRepository(Agent).findOneByOrFail({ id: agent.id })).wechatOpenid).toBe("oNewColleague00000000000001");

      // Single use.
      expect(replyText(await scan(server, "oNewColleague00000000000001", qr.scene))).toContain("绑定二维码已失效");
      expect((await api(server, "GET", `/api/console/agents/${agent.id}/binding-qr`, { cookie: adminCookie })).status).toBe(404);
      const bound = await api(server, "GET", "/api/console/agents?bound=true", { cookie: adminCookie });
      expect(bound.body.agents).toContainEqual(expect.objectContaining({ id: agent.id, wechatOpenid: "oNewColleague00000000000001" }));
    });

    it("invalidates the previous code when a new one is issued", async () => {
      const agent = await makeAgent(server);
      const first = await issue(agent.id);
      const second = await issue(agent.id);
      expect(replyText(await scan(server, "oRebind000000000000000000001", first.scene))).toContain("绑定二维码已失效");
      expect(replyText(await scan(server, "oRebind000000000000000000001", second.scene))).toContain("绑定成功");
    });

    it("refuses a WeChat already bound to another agent and keeps the code for the right one", async () => {
      await makeAgent(server, { name: "老员工", jobNumber: "6001", openid: "oTaken0000000000000000000001" });
      const agent = await makeAgent(server);
      const qr = await issue(agent.id);
      const refused = await scan(server, "oTaken0000000000000000000001", qr.scene);
      expect(replyText(refused)).toBe("绑定失败：您的微信已绑定客服账号 老员工（工号 6001），一个微信只能绑定一个客服账号。如需更换，请联系管理员。");
      expect((await server.dataSource.getRepository(Agent).findOneByOrFail({ id: agent.id })).wechatOpenid).toBeNull();
      expect(replyText(await scan(server, "oRightPhone00000000000000001", qr.scene))).toContain("绑定成功");
    });

    it("binds only one agent when two codes are scanned by one WeChat at once", async () => {
      const [one, two] = [await makeAgent(server), await makeAgent(server)];
      const [qrOne, qrTwo] = [await issue(one.id), await issue(two.id)];
      const replies = await Promise.all([scan(server, "oTwice00000000000000000000001", qrOne.scene), scan(server, "oTwice00000000000000000000001", qrTwo.scene)]);
      const texts = replies.map(replyText);
      expect(texts.filter((text) => text?.startsWith("绑定成功"))).toHaveLength(1);
      expect(texts.filter((text) => text?.startsWith("绑定失败"))).toHaveLength(1);
      expect(await server.dataSource.getRepository(Agent).countBy({ wechatOpenid: "oTwice00000000000000000000001" })).toBe(1);
    });

    it("unbinds", async () => {
      const agent = await makeAgent(server, { openid: "oUnbind00000000000000000001" });
      const response = await api(server, "DELETE", `/api/console/agents/${agent.id}/binding`, { cookie: adminCookie });
      expect(response.body.agent).toMatchObject({ bound: false, wechatOpenid: null });
    });

    it("reports a WeChat failure as 502 with WeChat's code", async () => {
      const agent = await makeAgent(server);
      fake.state.failNext("/cgi-bin/qrcode/create", { errcode: 48001, errmsg: "api unauthorized" });
      const response = await api(server, "POST", `/api/console/agents/${agent.id}/binding-qr`, { cookie: adminCookie });
      expect(response).toMatchObject({ status: 502, body: { error: { code: "wechat_unavailable", details: { errcode: 48001 } } } });
      expect(response.body.error.message).toContain("生成绑定二维码失败");
    });
  });

  describe("me", () => {
    it("shows the signed-in agent with settings, and saves valid settings only", async () => {
      const agent = await makeAgent(server, { name: "设置者" });
      const cookie = await cookieFor(server, agent);
      const me = await api(server, "GET", "/api/console/me", { cookie });
      expect(me.body).toEqual({
        agent: expect.objectContaining({ id: agent.id, name: "设置者", role: "agent", status: "offline", bound: false }),
        settings: {
          autoAccept: false,
          capacity: 5,
          greeting: "您好，我是水务客服，很高兴为您服务。",
          awayReply: "客服暂时离开，请稍候，我们会尽快回复您。",
          soundOnNewConversation: true,
          soundOnNewMessage: true,
          desktopOnNewConversation: true,
          desktopOnNewMessage: false,
          sendKey: "enter",
        },
      });
      expect(me.body.agent).not.toHaveProperty("wechatOpenid");

      const saved = await api(server, "PATCH", "/api/console/me/settings", { cookie, body: { autoAccept: true, capacity: 3, greeting: "", sendKey: "ctrl_enter" } });
      expect(saved.body.settings).toMatchObject({ autoAccept: true, capacity: 3, greeting: "", sendKey: "ctrl_enter", soundOnNewMessage: true });
      expect(saved.body.agent.capacity).toBe(3);

      for (const [body, message] of [
        [{ sendKey: "space" }, "发送键必须是 enter 或 ctrl_enter"],
        [{ capacity: -2 }, "接待上限不能小于 0（0 表示忙碌，不分配新会话）"],
        [{ greeting: "好".repeat(601) }, "欢迎语最多 600 个字"],
        [{ autoAccept: "yes" }, "自动接入必须是 true 或 false"],
        [{ theme: "dark" }, "请求中有不认识的字段：theme"],
      ] as const) {
        const refused = await api(server, "PATCH", "/api/console/me/settings", { cookie, body });
        expect(refused).toMatchObject({ status: 400, body: { error: { message } } });
      }
      expect((await api(server, "GET", "/api/console/me", { cookie })).body.settings).toMatchObject({ autoAccept: true, capacity: 3 });
    });

    it("changes status, tells every agent, and runs the offline and available listeners", async () => {
      const agent = await makeAgent(server, { name: "状态者" });
      const cookie = await cookieFor(server, agent);
      const watcher = await socketOf(agentCookie);

      let seen = nextEvent(watcher, "agent:status");
      const online = await api(server, "PUT", "/api/console/me/status", { cookie, body: { status: "online" } });
      expect(online.body.agent).toMatchObject({ status: "online", statusChangedAt: expect.any(String) });
      expect(await seen).toMatchObject({ agentId: agent.id, name: "状态者", status: "online" });
      expect(available).toContain(agent.id);
      expect((await agentDirectory(server.context).listOnline()).map((a) => a.id)).toContain(agent.id);

      seen = nextEvent(watcher, "agent:status");
      await api(server, "PUT", "/api/console/me/status", { cookie, body: { status: "away" } });
      expect(await seen).toMatchObject({ agentId: agent.id, status: "away" });
      expect(offline.filter((entry) => entry.agentId === agent.id)).toEqual([]);

      await api(server, "PUT", "/api/console/me/status", { cookie, body: { status: "offline" } });
      expect(offline).toContainEqual({ agentId: agent.id, reason: "status" });
      expect((await server.dataSource.getRepository(Agent).findOneByOrFail({ id: agent.id })).status).toBe("offline");

      const invalid = await api(server, "PUT", "/api/console/me/status", { cookie, body: { status: "busy" } });
      expect(invalid.body.error.message).toBe("状态必须是 online（在线）、away（离开）或 offline（离线）");
    });

    it("tells the available listeners when an online agent makes room or turns auto-accept on", async () => {
      const agent = await makeAgent(server, { capacity: 2 });
      const cookie = await cookieFor(server, agent);
      await api(server, "PUT", "/api/console/me/status", { cookie, body: { status: "online" } });
      available.length = 0;
      await api(server, "PATCH", "/api/console/me/settings", { cookie, body: { capacity: 1 } });
      expect(available).toEqual([]);
      await api(server, "PATCH", "/api/console/me/settings", { cookie, body: { capacity: 4 } });
      await api(server, "PATCH", "/api/console/me/settings", { cookie, body: { autoAccept: true } });
      expect(available).toEqual([agent.id, agent.id]);
    });
  });
});
