import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { io as connect, type Socket } from "socket.io-client";
import { MemoryKeyValueStore } from "../src/infra/kv/memoryKeyValueStore";
import { createLogger } from "../src/infra/logger";
import { Agent } from "../src/modules/agents/agent.entity";
import { agentDirectory } from "../src/modules/agents/agentDirectory";
import { agentStatusService, type OfflineReason } from "../src/modules/agents/agentStatus";
import { SocketServer } from "../src/realtime/socketServer";
import type { RunningServer } from "../src/server";
import { startFakeWechat } from "../src/sandbox/fakeWechat";
import { api, collect, cookieFor, disconnected, eventually, makeAgent, nextEvent, openSocket, replyText, scan } from "./agentsHelpers";
import { createTestDatabase, REDIS_TEST_URL, testKeyPrefix, type TestDatabase } from "./support/mariadb";
import { startTestServer, TEST_APPID, TEST_SECRET } from "./support/testServer";

/**
 * The console's socket.io connection: who may connect and to which rooms, and two server instances
 * sharing MariaDB and Redis working as one (the Redis adapter, on a channel prefix of this run's own).
 */
describe("realtime across two instances", () => {
  let db: TestDatabase;
  let fake: Awaited<ReturnType<typeof startFakeWechat>>;
  let a: RunningServer;
  let b: RunningServer;
  let kvPrefix: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    db = await createTestDatabase("rt");
    fake = await startFakeWechat({ appId: TEST_APPID, appSecret: TEST_SECRET });
    kvPrefix = testKeyPrefix("rt");
    const common = { databaseUrl: db.url, redisUrl: REDIS_TEST_URL, kvPrefix, wechatApiBase: fake.url, start: { dispatcher: false as const } };
    a = await startTestServer(common);
    b = await startTestServer(common);
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await fake?.close();
    await db?.drop();
  });

  const socketOn = async (server: RunningServer, cookie?: string) => {
    const socket = await openSocket(server, cookie);
    sockets.push(socket);
    return socket;
  };

  it("delivers an event published on instance A to an agent whose socket is connected to instance B", async () => {
    const agent = await makeAgent(a);
    const socket = await socketOn(b, await cookieFor(a, agent));
    const arrived = nextEvent(socket, "conversation:message");
    a.context.realtime.toAgent(agent.id, "conversation:message", { conversationId: "c1", content: "停水了吗？" });
    expect(await arrived).toEqual({ conversationId: "c1", content: "停水了吗？" });
  });

  it("delivers an event from this process to an agent connected to a server in another process", async () => {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", join(__dirname, "agentsServerProcess.ts")], {
      env: { ...process.env, DATABASE_URL: db.url, REDIS_URL: REDIS_TEST_URL, KV_PREFIX: kvPrefix, WECHAT_API_BASE: fake.url },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = "";
        child.stdout!.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening (\S+)/.exec(output);
          if (match) resolve(match[1]!);
        });
        child.once("exit", (code) => reject(new Error(`server process exited with ${code}`)));
      });
      const agent = await makeAgent(a);
      const socket = connect(url, { transports: ["websocket"], reconnection: false, forceNew: true, extraHeaders: { cookie: await cookieFor(a, agent) } });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("connect_error", reject);
      });
      const arrived = nextEvent(socket, "conversation:message");
      a.context.realtime.toAgent(agent.id, "conversation:message", { conversationId: "c2", content: "水表漏水" });
      expect(await arrived).toEqual({ conversationId: "c2", content: "水表漏水" });
      expect(await agentDirectory(a.context).isConnected(agent.id)).toBe(true);
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
  }, 60_000);

  it("delivers a colleague's internal message sent through A to the recipient on B", async () => {
    const [sender, recipient] = [await makeAgent(a, { name: "发信人" }), await makeAgent(a, { name: "收信人" })];
    const socket = await socketOn(b, await cookieFor(b, recipient));
    const arrived = nextEvent(socket, "internal:message");
    const sent = await api(a, "POST", "/api/console/internal/messages", { cookie: await cookieFor(a, sender), body: { to: recipient.id, content: "下午开会" } });
    expect(sent.status).toBe(201);
    expect(await arrived).toEqual({ message: sent.body.message });
  });

  it("logs in a page watching on B when the scan reaches A", async () => {
    const agent = await makeAgent(a, { openid: "oRealtimePhone0000000000001" });
    const qr = await api(b, "GET", "/api/console/login/qr");
    const page = await socketOn(b);
    expect(await page.emitWithAck("login:watch", qr.body.scene)).toEqual({ ok: true, status: "pending" });
    const done = nextEvent(page, "login:done");
    expect(replyText(await scan(a, agent.wechatOpenid!, qr.body.scene))).toContain("登录成功");
    const { code } = await done;
    const exchange = await api(b, "POST", "/api/console/login/qr/exchange", { body: { scene: qr.body.scene, code } });
    expect(exchange.status).toBe(200);
  });

  it("ends the sessions of an agent deleted on A whose socket is on B", async () => {
    const admin = await makeAgent(a, { role: "admin" });
    const doomed = await makeAgent(a);
    const socket = await socketOn(b, await cookieFor(b, doomed));
    const ended = nextEvent(socket, "session:ended");
    const gone = disconnected(socket);
    expect((await api(a, "DELETE", `/api/console/agents/${doomed.id}`, { cookie: await cookieFor(a, admin) })).status).toBe(204);
    expect(await ended).toMatchObject({ reason: "deleted" });
    expect(await gone).toBe("io server disconnect");
  });

  it("knows on A which agents have a socket on B (presence for colleague lists)", async () => {
    const [watcher, present, absent] = [await makeAgent(a), await makeAgent(a), await makeAgent(a)];
    await socketOn(b, await cookieFor(b, present));
    expect(await agentDirectory(a.context).isConnected(present.id)).toBe(true);
    expect(await agentDirectory(a.context).isConnected(absent.id)).toBe(false);
    const colleagues = await api(a, "GET", "/api/console/internal/colleagues", { cookie: await cookieFor(a, watcher) });
    const byId = new Map(colleagues.body.colleagues.map((c: { id: string; connected: boolean }) => [c.id, c.connected]));
    expect(byId.get(present.id)).toBe(true);
    expect(byId.get(absent.id)).toBe(false);
  });

  it("puts signed-in sockets in their rooms only: own agent room, group, everyone, supervisors by role", async () => {
    const groupId = "01900000-0000-7000-8000-00000000a001";
    const agent = await makeAgent(a, { groupId });
    const other = await makeAgent(a);
    const supervisor = await makeAgent(a, { role: "supervisor" });
    const admin = await makeAgent(a, { role: "admin" });
    const [agentSocket, otherSocket, supervisorSocket, adminSocket] = await Promise.all([
      socketOn(a, await cookieFor(a, agent)),
      socketOn(b, await cookieFor(a, other)),
      socketOn(b, await cookieFor(a, supervisor)),
      socketOn(a, await cookieFor(a, admin)),
    ]);
    const seen = new Map(
      [agentSocket, otherSocket, supervisorSocket, adminSocket].map((socket) => [socket, collect(socket, "alert")] as const),
    );
    a.context.realtime.toAgent(agent.id, "alert", "agent");
    b.context.realtime.toGroup(groupId, "alert", "group");
    a.context.realtime.toSupervisors("alert", "supervisors");
    b.context.realtime.toAllAgents("alert", "all");
    a.context.realtime.toLoginPage("login_whatever000000000000", "alert", "login page");
    await eventually(() => (seen.get(adminSocket)!.length === 2 && seen.get(agentSocket)!.length === 3 ? true : undefined), "the events");
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Published on two instances: each arrives, in no particular order across them.
    expect(seen.get(agentSocket)!.sort()).toEqual(["agent", "all", "group"]);
    expect(seen.get(otherSocket)).toEqual(["all"]);
    expect(seen.get(supervisorSocket)!.sort()).toEqual(["all", "supervisors"]);
    expect(seen.get(adminSocket)!.sort()).toEqual(["all", "supervisors"]);
  });

  it("lets an unauthenticated socket do nothing but watch a login scene", async () => {
    const guest = await socketOn(a);
    const alerts = collect(guest, "alert");
    a.context.realtime.toAllAgents("alert", "not for guests");
    const gone = disconnected(guest);
    guest.emit("conversation:accept", { id: "x" });
    expect(await gone).toBe("io server disconnect");
    expect(alerts).toEqual([]);

    const malformed = await socketOn(a);
    const malformedGone = disconnected(malformed);
    malformed.emit("login:watch", { scene: "x" });
    expect(await malformedGone).toBe("io server disconnect");

    const forged = await socketOn(a, "shuiwu_session=forged");
    const forgedAlerts = collect(forged, "alert");
    a.context.realtime.toAllAgents("alert", "still not for guests");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(forgedAlerts).toEqual([]);
  });

  it("sets the agent offline after a status change through A, as seen by a colleague on B", async () => {
    const [agent, colleague] = [await makeAgent(a, { name: "切换者" }), await makeAgent(a)];
    const offline: { agentId: string; reason: OfflineReason }[] = [];
    agentStatusService(a.context).onAgentOffline(async (agentId, reason) => {
      offline.push({ agentId, reason });
    });
    const watcher = await socketOn(b, await cookieFor(b, colleague));
    const seen = nextEvent(watcher, "agent:status");
    await api(a, "PUT", "/api/console/me/status", { cookie: await cookieFor(a, agent), body: { status: "online" } });
    expect(await seen).toMatchObject({ agentId: agent.id, name: "切换者", status: "online" });
    await api(a, "PUT", "/api/console/me/status", { cookie: await cookieFor(a, agent), body: { status: "offline" } });
    expect(offline).toEqual([{ agentId: agent.id, reason: "status" }]);
    expect((await a.dataSource.getRepository(Agent).findOneByOrFail({ id: agent.id })).status).toBe("offline");
  });
});

/** The grace period before an agent without sockets is set offline, on a socket server of its own. */
describe("an agent who closes the console", () => {
  let httpServer: http.Server;
  let sockets: SocketServer;
  let url: string;
  const gone: string[] = [];

  beforeAll(async () => {
    httpServer = http.createServer();
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
    sockets = new SocketServer({
      httpServer,
      kv: new MemoryKeyValueStore(),
      logger: createLogger("silent"),
      authenticate: async (token) => (token?.startsWith("agent-") ? { id: token.slice(6), name: token, role: "agent", groupId: null } : null),
      agentGoneGraceMs: 300,
    });
    sockets.onAgentGone(async (agentId) => {
      gone.push(agentId);
    });
    sockets.attach();
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    await sockets.close();
  });

  const open = async (agentId: string) => {
    const socket = connect(url, { transports: ["websocket"], reconnection: false, forceNew: true, extraHeaders: { cookie: `shuiwu_session=agent-${agentId}` } });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    });
    return socket;
  };

  it("is reported gone once no socket came back within the grace period", async () => {
    const socket = await open("leaver");
    socket.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gone).toEqual([]);
    await eventually(() => (gone.includes("leaver") ? true : undefined), "the gone report", 2_000);
  });

  it("is not reported when a reload reconnects in time, nor while another tab stays open", async () => {
    const first = await open("reloader");
    first.disconnect();
    const second = await open("reloader");
    const tab = await open("twotabs");
    const otherTab = await open("twotabs");
    tab.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(gone).not.toContain("reloader");
    expect(gone).not.toContain("twotabs");
    second.disconnect();
    otherTab.disconnect();
  });

  it("closes websockets when the HTTP server closes instead of waiting for browsers to leave", async () => {
    const lingering = await open("lingerer");
    const closed = disconnected(lingering);
    const serverClosed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    expect(await closed).toBe("transport close");
    await serverClosed;
    // Shutting down is not the agent leaving.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(gone).not.toContain("lingerer");
    httpServer = http.createServer(); // afterAll closes a server
    httpServer.listen(0);
  });
});
