import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/infra/logger";
import { Agent, AgentGroup } from "../src/modules/agents/agent.entity";
import { DEMO_AGENTS } from "../src/modules/demo/seedDemo";
import { startServer, type RunningServer } from "../src/server";
import { api, nextEvent, openSocket, sessionCookieFrom } from "./agentsHelpers";

/**
 * The embedded default (SQLite, in-memory store, sandbox): the demo agents are seeded once, the admin
 * can log in with the demo password, and the fan simulator plays an agent's phone scanning the login QR.
 */
describe("demo agents in the sandbox", () => {
  let dir: string;
  let server: RunningServer;
  const start = () =>
    startServer(loadConfig({ PORT: "0", DATABASE_URL: `sqlite:${join(dir, "db.sqlite")}`, SANDBOX: "1", LOG_LEVEL: "silent" }), {
      host: "127.0.0.1",
      logger: createLogger("silent"),
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "shuiwu-agents-demo-"));
    server = await start();
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("seeds an admin, a supervisor and an agent, bound to sandbox WeChat users, in 客服一组", async () => {
    const agents = await server.dataSource.getRepository(Agent).find({ order: { jobNumber: "ASC" } });
    expect(agents.map((agent) => [agent.jobNumber, agent.name, agent.role])).toEqual([
      ["1001", "张敏", "supervisor"],
      ["1002", "刘洋", "agent"],
      ["admin", "系统管理员", "admin"],
    ]);
    const [group] = await server.dataSource.getRepository(AgentGroup).find();
    expect(group!.name).toBe("客服一组");
    expect(agents.filter((agent) => agent.role !== "admin").every((agent) => agent.groupId === group!.id)).toBe(true);
    for (const demo of DEMO_AGENTS) {
      expect(agents.find((agent) => agent.jobNumber === demo.jobNumber)!.wechatOpenid).toBe(demo.openid);
      expect(server.context.sandbox!.fake.fans.get(demo.openid)).toMatchObject({ subscribed: true });
    }
    expect(agents.filter((agent) => agent.passwordHash !== null).map((agent) => agent.jobNumber)).toEqual(["admin"]);
  });

  it("lets the admin log in with the demo password", async () => {
    const login = await api(server, "POST", "/api/console/login/password", { body: { jobNumber: "admin", password: "admin123" } });
    expect(login.status).toBe(200);
    expect(login.body.agent).toMatchObject({ name: "系统管理员", role: "admin" });
    expect((await api(server, "GET", "/api/console/agents", { cookie: sessionCookieFrom(login) })).body.agents).toHaveLength(3);
  });

  it("logs 刘洋 in when the fan simulator, as his phone, scans the login QR code", async () => {
    const qr = await api(server, "GET", "/api/console/login/qr");
    expect(qr.body.imageUrl).toContain("/sandbox/wechat-api/cgi-bin/showqrcode?ticket=");
    const page = await openSocket(server);
    try {
      await page.emitWithAck("login:watch", qr.body.scene);
      const done = nextEvent(page, "login:done");
      const phone = DEMO_AGENTS.find((agent) => agent.jobNumber === "1002")!;
      const pushed = await api(server, "POST", `/sandbox/api/fans/${phone.openid}/scans`, { body: { scene: qr.body.scene } });
      expect(pushed.body.callback.ok).toBe(true);
      expect(JSON.stringify(pushed.body.entries)).toContain("登录成功");
      const exchange = await api(server, "POST", "/api/console/login/qr/exchange", { body: { scene: qr.body.scene, code: (await done).code } });
      expect(exchange.body.agent).toMatchObject({ name: "刘洋", jobNumber: "1002", status: "online" });
    } finally {
      page.disconnect();
    }
  });

  it("seeds nothing again on the next start, and does not bring back a deleted demo agent", async () => {
    const supervisor = await server.dataSource.getRepository(Agent).findOneByOrFail({ jobNumber: "1001" });
    await server.dataSource.getRepository(Agent).update(supervisor.id, { deletedAt: new Date(), jobNumber: "1001#deleted" });
    await server.close();
    server = await start();
    expect(await server.dataSource.getRepository(Agent).count()).toBe(3);
    expect(await server.dataSource.getRepository(Agent).existsBy({ jobNumber: "1001" })).toBe(false);
    expect(await server.dataSource.getRepository(AgentGroup).count()).toBe(1);
  });
});
