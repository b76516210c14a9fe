import { ManualClock } from "../src/infra/clock";
import type { Agent, AgentRole, AgentSettings, AgentStatus } from "../src/modules/agents/agent.entity";
import { CONVERSATIONS_SERVICE, type ConversationsService } from "../src/modules/conversations/conversationsModule";
import { Fan } from "../src/modules/fans/fan.entity";
import type { RealtimeEvent, RealtimePublisher } from "../src/realtime/publisher";
import { startFakeWechat } from "../src/sandbox/fakeWechat";
import type { RunningServer } from "../src/server";
import { cookieFor, makeAgent as insertAgent } from "./agentsHelpers";
import { eventually } from "./support/eventually";
import { createTestDatabase, REDIS_TEST_URL, testKeyPrefix, type TestDatabase } from "./support/mariadb";
import { startTestServer, TEST_APPID, TEST_SECRET, TEST_TOKEN } from "./support/testServer";
import { deliver, nextMsgId, textXml, type CallbackResponse } from "./support/wechatFan";

/** Builders and clients for the conversation integration tests (MariaDB + Redis + the fake WeChat). */

// One HTTP client, one poller and one reply reader for every test (test/support); re-exported so a test keeps one import line.
export { api, type ApiResponse } from "./support/api";
export { eventually } from "./support/eventually";
export { replyText } from "./support/wechatFan";

export type FakeWechat = Awaited<ReturnType<typeof startFakeWechat>>;

export interface Pushed {
  target: string;
  event: RealtimeEvent;
  payload: any;
}

/** Records every realtime push while still passing it to the socket publisher. */
export function recordPushes(server: RunningServer, sent: Pushed[] = []): Pushed[] {
  const inner = server.context.realtime;
  const tee: RealtimePublisher = {
    toAgent: (id, event, payload) => (sent.push({ target: `agent:${id}`, event, payload }), inner.toAgent(id, event, payload)),
    toSupervisors: (event, payload) => (sent.push({ target: "supervisors", event, payload }), inner.toSupervisors(event, payload)),
    toGroup: (id, event, payload) => (sent.push({ target: `group:${id}`, event, payload }), inner.toGroup(id, event, payload)),
    toAllAgents: (event, payload) => (sent.push({ target: "agents", event, payload }), inner.toAllAgents(event, payload)),
    toLoginPage: (scene, event, payload) => (sent.push({ target: `login:${scene}`, event, payload }), inner.toLoginPage(scene, event, payload)),
  };
  server.context.realtime = tee;
  return sent;
}

export interface Harness {
  db: TestDatabase;
  fake: FakeWechat;
  clock: ManualClock;
  servers: RunningServer[];
  server: RunningServer;
  pushes: Pushed[];
  close(): Promise<void>;
}

/** One database, the fake WeChat and `instances` servers sharing them (as in production), on a manual clock. */
export async function startHarness(label: string, instances = 1): Promise<Harness> {
  const db = await createTestDatabase(label);
  const fake = await startFakeWechat({ appId: TEST_APPID, appSecret: TEST_SECRET });
  const clock = new ManualClock(new Date());
  const kvPrefix = testKeyPrefix(label);
  const servers: RunningServer[] = [];
  for (let i = 0; i < instances; i++) {
    servers.push(
      await startTestServer({ databaseUrl: db.url, redisUrl: REDIS_TEST_URL, kvPrefix, wechatApiBase: fake.url, start: { clock, dispatcher: { pollMs: 30, baseBackoffMs: 20, maxBackoffMs: 100 } } }),
    );
  }
  const server = servers[0];
  // Service hours around the clock unless a test says otherwise (the machine's time may be any hour).
  await server.settings.set("service.hoursStart", "00:00");
  await server.settings.set("service.hoursEnd", "24:00");
  const pushes: Pushed[] = [];
  for (const running of servers) recordPushes(running, pushes);
  return {
    db,
    fake,
    clock,
    servers,
    server,
    pushes,
    close: async () => {
      for (const running of servers) await running.close();
      await fake.close();
      await db.drop();
    },
  };
}

export function conversations(server: RunningServer): ConversationsService {
  return server.context.services.get(CONVERSATIONS_SERVICE) as ConversationsService;
}

/** An agent ready to take conversations (online unless `status` says otherwise), with a session cookie. */
export async function makeAgent(
  server: RunningServer,
  init: { role?: AgentRole; name?: string; status?: AgentStatus; capacity?: number; groupId?: string | null; settings?: Partial<AgentSettings> } = {},
): Promise<Agent & { cookie: string }> {
  const agent = await insertAgent(server, { ...init, status: init.status ?? "online" });
  return Object.assign(agent, { cookie: await cookieFor(server, agent) });
}

/** A fan known to the fake WeChat as a follower (so customer-service messages reach them). */
export function follower(fake: FakeWechat, openid: string): string {
  fake.state.upsertFan({ openId: openid, nickname: openid, subscribed: true });
  return openid;
}

function target(server: RunningServer) {
  return { url: server.url, token: TEST_TOKEN, appId: TEST_APPID };
}

const seconds = (clock: ManualClock) => Math.floor(clock.now().getTime() / 1000);

/** The fan types a text message, at the harness clock's time. */
export async function fanSays(h: Pick<Harness, "server" | "clock">, openid: string, content: string): Promise<CallbackResponse> {
  return deliver(target(h.server), textXml({ from: openid, content, msgId: nextMsgId(), createTime: seconds(h.clock) }));
}

export async function fanSendsXml(h: Pick<Harness, "server">, xml: string): Promise<CallbackResponse> {
  return deliver(target(h.server), xml);
}

const common = (openid: string, createTime: number, type: string) =>
  `<ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[${type}]]></MsgType>`;

export const messageXml = {
  image: (openid: string, createTime: number) =>
    `<xml>${common(openid, createTime, "image")}<PicUrl><![CDATA[http://mmbiz.example/pic.jpg]]></PicUrl><MediaId><![CDATA[media_in_1]]></MediaId><MsgId>${nextMsgId()}</MsgId></xml>`,
  voice: (openid: string, createTime: number, recognition: string) =>
    `<xml>${common(openid, createTime, "voice")}<MediaId><![CDATA[voice_1]]></MediaId><Format><![CDATA[amr]]></Format><Recognition><![CDATA[${recognition}]]></Recognition><MsgId>${nextMsgId()}</MsgId></xml>`,
  location: (openid: string, createTime: number, label: string) =>
    `<xml>${common(openid, createTime, "location")}<Location_X>31.2304</Location_X><Location_Y>121.4737</Location_Y><Scale>15</Scale><Label><![CDATA[${label}]]></Label><MsgId>${nextMsgId()}</MsgId></xml>`,
  link: (openid: string, createTime: number, title: string) =>
    `<xml>${common(openid, createTime, "link")}<Title><![CDATA[${title}]]></Title><Description><![CDATA[描述]]></Description><Url><![CDATA[https://example.com/a]]></Url><MsgId>${nextMsgId()}</MsgId></xml>`,
};

/** Moves the fan's interaction times (the 48-hour window) as if their last message was `at`. */
export async function fanLastWroteAt(server: RunningServer, openid: string, at: Date): Promise<void> {
  await server.dataSource.getRepository(Fan).update({ openid }, { lastMessageAt: at, lastInteractionAt: at, lastEventAt: null });
}

/** Texts the account sent the fan through the fake WeChat, in order. */
export function textsTo(fake: FakeWechat, openid: string): string[] {
  return fake.state
    .messagesTo(openid)
    .filter((m) => m.kind === "custom" && m.msgType === "text")
    .map((m) => String((m.body as { text?: { content?: string } }).text?.content));
}

/** A fan with a waiting conversation: returns its id. */
export async function waitingConversationOf(h: Harness, openid: string, text = "你好，我家停水了"): Promise<string> {
  follower(h.fake, openid);
  await fanSays(h, openid, text);
  return eventually(async () => {
    const [row] = await h.server.dataSource.query("SELECT id FROM conversation WHERE open_fan_openid = ?", [openid]);
    return row?.id as string | undefined;
  });
}

export { nextMsgId };
