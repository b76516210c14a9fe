import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { io as connect, type Socket } from "socket.io-client";
import type { RunningServer } from "../src/server";
import { startFakeWechat } from "../src/sandbox/fakeWechat";
import { api, cookieFor, makeAgent, nextEvent } from "./agentsHelpers";
import { createTestDatabase, REDIS_TEST_URL, testKeyPrefix, type TestDatabase } from "./support/mariadb";
import { startTestServer, TEST_APPID, TEST_SECRET, TEST_TOKEN } from "./support/testServer";
import { deliver, nextMsgId, textXml } from "./support/wechatFan";

/**
 * Several instances work as one: a fan's message received by one server process reaches the agent whose
 * console socket is connected to another process, through MariaDB and the Redis adapter only.
 */
describe("a fan message across two server processes", () => {
  let db: TestDatabase;
  let fake: Awaited<ReturnType<typeof startFakeWechat>>;
  let a: RunningServer;
  let child: ChildProcess | undefined;
  let socket: Socket | undefined;

  beforeAll(async () => {
    db = await createTestDatabase("rtfan");
    fake = await startFakeWechat({ appId: TEST_APPID, appSecret: TEST_SECRET });
    const kvPrefix = testKeyPrefix("rtfan");
    a = await startTestServer({ databaseUrl: db.url, redisUrl: REDIS_TEST_URL, kvPrefix, wechatApiBase: fake.url });
    // In service around the clock (the machine's time may be any hour).
    await a.settings.set("service.hoursStart", "00:00");
    await a.settings.set("service.hoursEnd", "24:00");
    child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", join(__dirname, "agentsServerProcess.ts")], {
      env: { ...process.env, DATABASE_URL: db.url, REDIS_URL: REDIS_TEST_URL, KV_PREFIX: kvPrefix, WECHAT_API_BASE: fake.url },
      stdio: ["ignore", "pipe", "inherit"],
    });
  }, 60_000);

  afterAll(async () => {
    socket?.disconnect();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    await a?.close();
    await fake?.close();
    await db?.drop();
  });

  it("delivers the fan's message, received by process A, to the agent's socket on process B", async () => {
    const childUrl = await new Promise<string>((resolve, reject) => {
      let output = "";
      child!.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening (\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      child!.once("exit", (code) => reject(new Error(`server process exited with ${code}`)));
    });

    const agent = await makeAgent(a, { name: "刘洋" });
    const cookie = await cookieFor(a, agent);
    socket = connect(childUrl, { transports: ["websocket"], reconnection: false, forceNew: true, extraHeaders: { cookie } });
    await new Promise<void>((resolve, reject) => {
      socket!.once("connect", resolve);
      socket!.once("connect_error", reject);
    });

    const fan = "oFanAcross0001";
    fake.state.upsertFan({ openId: fan, nickname: "赵女士", subscribed: true });
    const target = { url: a.url, token: TEST_TOKEN, appId: TEST_APPID };
    const queued = nextEvent(socket, "queue:added", 10_000);
    expect((await deliver(target, textXml({ from: fan, content: "人工", msgId: nextMsgId() }))).status).toBe(200);
    await queued;

    const waiting = await api<{ conversations: { id: string; fan: { openid: string } }[] }>(a, "GET", "/api/console/conversations/waiting", { cookie });
    const conversation = waiting.body.conversations.find((c) => c.fan.openid === fan)!;
    expect((await api(a, "POST", `/api/console/conversations/${conversation.id}/accept`, { cookie })).status).toBe(200);

    const arrived = nextEvent<{ conversationId: string; message: { content: string; direction: string } }>(socket, "conversation:message", 10_000);
    expect((await deliver(target, textXml({ from: fan, content: "我家水表漏水了", msgId: nextMsgId() }))).status).toBe(200);
    const event = await arrived;
    expect(event.conversationId).toBe(conversation.id);
    expect(event.message).toMatchObject({ content: "我家水表漏水了", direction: "in" });
  }, 60_000);
});
