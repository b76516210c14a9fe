import { io as connect, type Socket } from "socket.io-client";
import { newId } from "../src/infra/ids";
import { Agent, DEFAULT_AGENT_SETTINGS, type AgentRole, type AgentSettings, type AgentStatus } from "../src/modules/agents/agent.entity";
import { hashPassword } from "../src/modules/agents/passwords";
import { SESSION_COOKIE } from "../src/modules/agents/sessions";
import type { RunningServer } from "../src/server";
import type { ApiResponse } from "./support/api";
import { TEST_APPID, TEST_TOKEN } from "./support/testServer";
import { deliver, eventXml, type CallbackResponse } from "./support/wechatFan";

/** Builders and clients for the agents, login, realtime and internal-chat integration tests. */

// One HTTP client, one poller and one reply reader for every test (test/support); re-exported so a test keeps one import line.
export { api, type ApiResponse } from "./support/api";
export { eventually } from "./support/eventually";
export { replyText } from "./support/wechatFan";

let jobCounter = 0;

/** An agent row, written directly (the admin API has its own tests); offline unless `status` says otherwise. */
export async function makeAgent(
  server: RunningServer,
  init: {
    role?: AgentRole;
    name?: string;
    jobNumber?: string;
    openid?: string | null;
    password?: string;
    groupId?: string | null;
    capacity?: number;
    status?: AgentStatus;
    settings?: Partial<AgentSettings>;
  } = {},
): Promise<Agent> {
  const now = new Date();
  jobCounter++;
  const agent = server.dataSource.getRepository(Agent).create({
    id: newId(),
    name: init.name ?? `客服${jobCounter}`,
    jobNumber: init.jobNumber ?? `T${process.pid % 1000}${String(jobCounter).padStart(4, "0")}`,
    role: init.role ?? "agent",
    groupId: init.groupId ?? null,
    capacity: init.capacity ?? 5,
    wechatOpenid: init.openid ?? null,
    passwordHash: init.password ? await hashPassword(init.password) : null,
    status: init.status ?? "offline",
    statusChangedAt: init.status ? now : null,
    settings: { ...DEFAULT_AGENT_SETTINGS, ...init.settings },
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  });
  await server.dataSource.getRepository(Agent).insert(agent);
  return agent;
}

/** A session cookie for the agent, as a browser would send it. */
export async function cookieFor(server: RunningServer, agent: Pick<Agent, "id">): Promise<string> {
  return `${SESSION_COOKIE}=${await server.context.sessions.create(agent.id)}`;
}

/** The session cookie a response set, as the next request would send it. */
export function sessionCookieFrom(response: ApiResponse): string | undefined {
  const setCookie = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`));
  return setCookie?.split(";")[0];
}

/** A console socket (websocket transport); with a cookie it is signed in. */
export async function openSocket(server: RunningServer, cookie?: string): Promise<Socket> {
  const socket = connect(server.url, {
    path: "/socket.io",
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    ...(cookie ? { extraHeaders: { cookie } } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  return socket;
}

/** The next `event` on the socket, or a rejection after the timeout. */
export function nextEvent<T = any>(socket: Socket, event: string, timeoutMs = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, onEvent);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onEvent = (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    };
    socket.once(event, onEvent);
  });
}

/** Resolves when the socket is disconnected (by the server), with the reason. */
export function disconnected(socket: Socket, timeoutMs = 5_000): Promise<string> {
  if (!socket.connected) return Promise.resolve("already disconnected");
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still connected after ${timeoutMs} ms`)), timeoutMs);
    socket.once("disconnect", (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/** Events of one name, as they arrive (to assert that something did not arrive). */
export function collect<T = any>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

let scanSecond = Math.floor(Date.now() / 1000) - 100_000;

/**
 * A WeChat user scanning one of our QR codes, delivered to /wechat as WeChat would: SCAN with the bare
 * scene for a follower, subscribe with `qrscene_<scene>` for someone following through the code.
 */
export function scan(server: RunningServer, openid: string, scene: string, options: { follow?: boolean } = {}): Promise<CallbackResponse> {
  // Distinct CreateTimes keep events of one user from being taken for WeChat's retries of one another.
  scanSecond++;
  const xml = options.follow
    ? eventXml({ from: openid, event: "subscribe", eventKey: `qrscene_${scene}`, createTime: scanSecond, extra: "<Ticket><![CDATA[t]]></Ticket>" })
    : eventXml({ from: openid, event: "SCAN", eventKey: scene, createTime: scanSecond, extra: "<Ticket><![CDATA[t]]></Ticket>" });
  return deliver({ url: server.url, token: TEST_TOKEN, appId: TEST_APPID }, xml);
}
