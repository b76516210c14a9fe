import type { Socket } from "socket.io-client";
import { Agent } from "../src/modules/agents/agent.entity";
import { InternalMessage } from "../src/modules/internal-chat/internalMessage.entity";
import type { RunningServer } from "../src/server";
import { startFakeWechat } from "../src/sandbox/fakeWechat";
import { api, collect, cookieFor, makeAgent, nextEvent, openSocket } from "./agentsHelpers";
import { createTestDatabase, REDIS_TEST_URL, testKeyPrefix, type TestDatabase } from "./support/mariadb";
import { startTestServer, TEST_APPID, TEST_SECRET } from "./support/testServer";

/** 内部沟通 between agents on MariaDB + Redis: colleagues and unread badges, messages, privacy, pushes. */
describe("internal chat", () => {
  let db: TestDatabase;
  let fake: Awaited<ReturnType<typeof startFakeWechat>>;
  let server: RunningServer;
  let alice: Agent;
  let bob: Agent;
  let carol: Agent;
  let aliceCookie: string;
  let bobCookie: string;
  let carolCookie: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    db = await createTestDatabase("chat");
    fake = await startFakeWechat({ appId: TEST_APPID, appSecret: TEST_SECRET });
    server = await startTestServer({ databaseUrl: db.url, redisUrl: REDIS_TEST_URL, kvPrefix: testKeyPrefix("chat"), wechatApiBase: fake.url, start: { dispatcher: false } });
    alice = await makeAgent(server, { name: "艾丽" });
    bob = await makeAgent(server, { name: "鲍勃" });
    // A supervisor: ranks above the others, and still cannot read their private messages.
    carol = await makeAgent(server, { name: "卡萝", role: "admin" });
    [aliceCookie, bobCookie, carolCookie] = await Promise.all([alice, bob, carol].map((agent) => cookieFor(server, agent)));
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });

  afterAll(async () => {
    await server?.close();
    await fake?.close();
    await db?.drop();
  });

  const send = (cookie: string, to: string, content: string) => api(server, "POST", "/api/console/internal/messages", { cookie, body: { to, content } });
  const colleagues = async (cookie: string) =>
    (await api(server, "GET", "/api/console/internal/colleagues", { cookie })).body.colleagues as { id: string; unread: number; status: string; connected: boolean; name: string }[];

  it("sends a message, pushes it to the recipient (and the sender's other tabs) and counts it unread", async () => {
    const bobSocket = await openSocket(server, bobCookie);
    const aliceOtherTab = await openSocket(server, aliceCookie);
    const carolSocket = await openSocket(server, carolCookie);
    sockets.push(bobSocket, aliceOtherTab, carolSocket);
    const carolSaw = collect(carolSocket, "internal:message");
    const toBob = nextEvent(bobSocket, "internal:message");
    const toOtherTab = nextEvent(aliceOtherTab, "internal:message");

    const sent = await send(aliceCookie, bob.id, "鲍勃，3 号楼停水的工单你跟一下？\n谢谢");
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ fromAgentId: alice.id, toAgentId: bob.id, content: "鲍勃，3 号楼停水的工单你跟一下？\n谢谢", readAt: null });
    expect(await toBob).toEqual({ message: sent.body.message });
    expect(await toOtherTab).toEqual({ message: sent.body.message });

    const bobsView = await colleagues(bobCookie);
    expect(bobsView.find((c) => c.id === alice.id)).toMatchObject({ name: "艾丽", unread: 1, connected: true });
    expect(bobsView.find((c) => c.id === bob.id)).toBeUndefined();
    expect((await colleagues(aliceCookie)).find((c) => c.id === bob.id)).toMatchObject({ unread: 0, connected: true });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(carolSaw).toEqual([]);

    const read = await api(server, "POST", "/api/console/internal/messages/read", { cookie: bobCookie, body: { with: alice.id } });
    expect(read.body).toEqual({ updated: 1 });
    expect((await colleagues(bobCookie)).find((c) => c.id === alice.id)!.unread).toBe(0);
  });

  it("shows a pair's messages only to the two of them", async () => {
    await send(aliceCookie, bob.id, "只给鲍勃看");
    await send(bobCookie, alice.id, "收到");
    const alicesView = await api(server, "GET", `/api/console/internal/messages?with=${bob.id}`, { cookie: aliceCookie });
    const contents = alicesView.body.messages.map((m: { content: string }) => m.content);
    expect(contents.slice(-2)).toEqual(["只给鲍勃看", "收到"]);

    // Carol (an admin) asking about either of them sees only her own messages with them: none.
    expect((await api(server, "GET", `/api/console/internal/messages?with=${alice.id}`, { cookie: carolCookie })).body).toEqual({ messages: [], hasMore: false });
    expect((await api(server, "GET", `/api/console/internal/messages?with=${bob.id}`, { cookie: carolCookie })).body).toEqual({ messages: [], hasMore: false });
    // Marking "read" for a pair one is not in changes nothing of theirs.
    await api(server, "POST", "/api/console/internal/messages/read", { cookie: carolCookie, body: { with: alice.id } });
    expect((await colleagues(bobCookie)).find((c) => c.id === alice.id)!.unread).toBeGreaterThan(0);
  });

  it("pages back through history with before and limit, oldest first within a page", async () => {
    const dave = await makeAgent(server, { name: "大卫" });
    const daveCookie = await cookieFor(server, dave);
    for (let i = 1; i <= 7; i++) await send(i % 2 ? aliceCookie : daveCookie, i % 2 ? dave.id : alice.id, `第${i}条`);
    const newest = await api(server, "GET", `/api/console/internal/messages?with=${dave.id}&limit=3`, { cookie: aliceCookie });
    expect(newest.body.messages.map((m: { content: string }) => m.content)).toEqual(["第5条", "第6条", "第7条"]);
    expect(newest.body.hasMore).toBe(true);
    const older = await api(server, "GET", `/api/console/internal/messages?with=${alice.id}&limit=3&before=${newest.body.messages[0].id}`, { cookie: daveCookie });
    expect(older.body.messages.map((m: { content: string }) => m.content)).toEqual(["第2条", "第3条", "第4条"]);
    const oldest = await api(server, "GET", `/api/console/internal/messages?with=${dave.id}&limit=3&before=${older.body.messages[0].id}`, { cookie: aliceCookie });
    expect(oldest.body).toMatchObject({ hasMore: false, messages: [expect.objectContaining({ content: "第1条" })] });
  });

  it("refuses empty, too long, self-addressed and unknown-recipient messages", async () => {
    const cases: [unknown, number, string][] = [
      [{ to: bob.id, content: "   " }, 400, "请填写消息内容"],
      [{ to: bob.id, content: "字".repeat(2001) }, 400, "消息内容最多 2000 个字"],
      [{ to: bob.id }, 400, "请填写消息内容"],
      [{ to: "nobody", content: "hi" }, 400, "收信的同事不存在"],
      [{ to: alice.id, content: "自言自语" }, 400, "不能给自己发内部消息"],
      [{ to: "01900000-0000-7000-8000-000000000000", content: "hi" }, 404, "同事不存在或已被删除"],
    ];
    for (const [body, status, message] of cases) {
      const response = await api(server, "POST", "/api/console/internal/messages", { cookie: aliceCookie, body });
      expect({ status: response.status, message: response.body.error.message }).toEqual({ status, message });
    }
    expect((await api(server, "POST", "/api/console/internal/messages", { cookie: aliceCookie, body: { to: bob.id, content: "字".repeat(2000) } })).status).toBe(201);
    const query = await api(server, "GET", `/api/console/internal/messages?with=${bob.id}&limit=500`, { cookie: aliceCookie });
    expect(query.body.error.message).toBe("limit 最多 100");
  });

  it("lists live colleagues with status, online first, and leaves deleted ones out", async () => {
    const gone = await makeAgent(server, { name: "已删除" });
    await server.dataSource.getRepository(Agent).update(gone.id, { deletedAt: new Date() });
    await api(server, "PUT", "/api/console/me/status", { cookie: bobCookie, body: { status: "online" } });
    const list = await colleagues(aliceCookie);
    expect(list.find((c) => c.id === gone.id)).toBeUndefined();
    expect(list[0]).toMatchObject({ id: bob.id, status: "online" });
    expect(list.slice(1).every((c) => c.status !== "online")).toBe(true);
    // A deleted colleague's history stays readable to the one who talked with them.
    await server.dataSource.getRepository(InternalMessage).insert({ id: "01900000-0000-7000-8000-0000000000c1", fromAgentId: gone.id, toAgentId: alice.id, content: "再见", createdAt: new Date(), readAt: null });
    expect((await api(server, "GET", `/api/console/internal/messages?with=${gone.id}`, { cookie: aliceCookie })).body.messages).toHaveLength(1);
    expect((await send(aliceCookie, gone.id, "你还在吗")).status).toBe(404);
  });
});
