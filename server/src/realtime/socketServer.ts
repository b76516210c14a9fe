import type http from "node:http";
import { createAdapter } from "@socket.io/redis-adapter";
import Redis from "ioredis";
import { Server, type Socket } from "socket.io";
import type { KeyValueStore } from "../infra/kv/keyValueStore";
import type { Logger } from "../infra/logger";
import type { ConsoleActor } from "../http/console/auth";
import { SESSION_COOKIE } from "../modules/agents/sessions";
import { readLoginScene } from "../modules/agents/loginQr";
import { rooms, roomsOf, type AgentSocketData, type AgentSockets, type SessionEndReason, type SocketData } from "./agentSockets";
import type { RealtimeEvent, RealtimePublisher } from "./publisher";

export const SOCKET_PATH = "/socket.io";
/** How long an agent may have no socket (a reload, a flaky network) before they are set offline. */
export const AGENT_GONE_GRACE_MS = 60_000;
/** An unauthenticated socket must watch a login scene soon, and may keep watching only while it renews. */
const GUEST_IDLE_MS = 5 * 60_000;

/** The server only ever sends events of the one table in publisher.ts. */
type ServerEvents = Record<RealtimeEvent, (payload: unknown) => void>;
type ClientEvents = Record<string, (...args: unknown[]) => void>;
type IoServer = Server<ClientEvents, ServerEvents, Record<string, never>, SocketData>;
type IoSocket = Socket<ClientEvents, ServerEvents, Record<string, never>, SocketData>;

export interface SocketServerOptions {
  httpServer: http.Server;
  kv: KeyValueStore;
  logger: Logger;
  /** The session cookie's agent, or null (an unauthenticated login page). */
  authenticate: (sessionToken: string | undefined) => Promise<ConsoleActor | null>;
  /** With Redis, instances sharing `channelPrefix` form one socket.io cluster. */
  redis?: { url: string; channelPrefix: string };
  agentGoneGraceMs?: number;
}

/**
 * socket.io on the HTTP server: the console's live connection. Signed-in sockets join their agent,
 * group, "agents" and (supervisors and admins) "supervisors" rooms; a login page's unauthenticated
 * socket may only watch its login scene. With Redis the adapter makes every instance one cluster, so an
 * event published anywhere reaches a socket connected anywhere.
 */
export class SocketServer implements AgentSockets, RealtimePublisher {
  readonly io: IoServer;
  private readonly redisClients: Redis[] = [];
  private readonly goneTimers = new Map<string, NodeJS.Timeout>();
  private readonly goneListeners: ((agentId: string) => Promise<void>)[] = [];
  private readonly socketListeners: ((socket: Socket, agent: AgentSocketData) => void)[] = [];
  private readonly graceMs: number;
  private attached = false;
  private closing = false;

  constructor(private readonly options: SocketServerOptions) {
    this.graceMs = options.agentGoneGraceMs ?? AGENT_GONE_GRACE_MS;
    // Same-origin only (the console is served by this server, or proxied by Vite in development).
    this.io = new Server({ path: SOCKET_PATH, serveClient: false, pingInterval: 20_000, pingTimeout: 20_000 });
    if (options.redis) {
      const pub = new Redis(options.redis.url, { maxRetriesPerRequest: 3 });
      const sub = pub.duplicate();
      for (const client of [pub, sub]) client.on("error", (error) => options.logger.error({ err: error }, "socket.io redis error"));
      this.redisClients.push(pub, sub);
      this.io.adapter(createAdapter(pub, sub, { key: `${options.redis.channelPrefix}socket.io`, requestsTimeout: 3_000 }));
    }
    this.io.use((socket, next) => {
      this.authenticate(socket).then(
        () => next(),
        (error) => {
          options.logger.error({ err: error }, "socket authentication failed");
          next(new Error("认证失败，请刷新页面重试"));
        },
      );
    });
    this.io.on("connection", (socket) => (socket.data.agent ? this.agentConnected(socket, socket.data.agent) : this.guestConnected(socket)));
  }

  /**
   * Starts answering on the HTTP server. Done after the Koa app is attached: engine.io wraps the
   * request listeners present when it attaches, so /socket.io never reaches Koa.
   */
  attach(): void {
    if (this.attached) return;
    this.attached = true;
    const { httpServer } = this.options;
    this.io.attach(httpServer);
    // http.Server#close waits for every connection, and a websocket never ends by itself: close ours
    // as soon as the server starts closing, or shutdown would wait for every browser to go away.
    const closeHttp = httpServer.close.bind(httpServer);
    httpServer.close = ((callback?: (error?: Error) => void) => {
      this.disconnectLocalSockets();
      return closeHttp(callback);
    }) as typeof httpServer.close;
  }

  // ---- RealtimePublisher ----

  toAgent(agentId: string, event: RealtimeEvent, payload: unknown): void {
    this.send(rooms.agent(agentId), event, payload);
  }
  toSupervisors(event: RealtimeEvent, payload: unknown): void {
    this.send(rooms.supervisors, event, payload);
  }
  toGroup(groupId: string, event: RealtimeEvent, payload: unknown): void {
    this.send(rooms.group(groupId), event, payload);
  }
  toAllAgents(event: RealtimeEvent, payload: unknown): void {
    this.send(rooms.agents, event, payload);
  }
  toLoginPage(scene: string, event: RealtimeEvent, payload: unknown): void {
    this.send(rooms.loginPage(scene), event, payload);
  }

  /** Pushes are best effort (consoles refetch on reconnect): after close, or if the adapter fails, they are dropped. */
  private send(room: string, event: RealtimeEvent, payload: unknown): void {
    if (this.closing) return;
    try {
      this.io.to(room).emit(event, payload);
    } catch (error) {
      this.options.logger.warn({ err: error, event }, "realtime push failed");
    }
  }

  // ---- AgentSockets ----

  async connectedAgentIds(): Promise<Set<string>> {
    const sockets = await this.io.in(rooms.agents).fetchSockets();
    return new Set(sockets.flatMap((socket) => (socket.data.agent ? [socket.data.agent.agentId] : [])));
  }

  async isConnected(agentId: string): Promise<boolean> {
    return (await this.io.in(rooms.agent(agentId)).fetchSockets()).length > 0;
  }

  async endSessions(agentId: string, reason: SessionEndReason): Promise<void> {
    const message = reason === "deleted" ? "您的客服账号已被删除" : "您已退出登录";
    // Both go out in order on the same Redis connection, so every instance delivers the event first.
    this.io.to(rooms.agent(agentId)).emit("session:ended", { reason, message });
    this.io.in(rooms.agent(agentId)).disconnectSockets(true);
  }

  async updateRooms(
    agentId: string,
    before: { role: AgentSocketData["role"]; groupId: string | null },
    after: { role: AgentSocketData["role"]; groupId: string | null },
  ): Promise<void> {
    const leaving = roomsOf({ id: agentId, ...before });
    const joining = roomsOf({ id: agentId, ...after });
    const target = this.io.in(rooms.agent(agentId));
    const stale = leaving.filter((room) => !joining.includes(room));
    if (stale.length) target.socketsLeave(stale);
    const fresh = joining.filter((room) => !leaving.includes(room));
    if (fresh.length) target.socketsJoin(fresh);
    // socket.data travels with fetchSockets; keep it truthful on this instance at least.
    for (const socket of await this.io.in(rooms.agent(agentId)).local.fetchSockets()) {
      if (socket.data.agent) socket.data.agent = { ...socket.data.agent, role: after.role, groupId: after.groupId };
    }
  }

  onAgentGone(listener: (agentId: string) => Promise<void>): void {
    this.goneListeners.push(listener);
  }

  onAgentSocket(listener: (socket: Socket, agent: AgentSocketData) => void): void {
    this.socketListeners.push(listener);
  }

  // ---- connections ----

  private async authenticate(socket: IoSocket): Promise<void> {
    const actor = await this.options.authenticate(sessionTokenFrom(socket.request.headers.cookie));
    if (actor) socket.data.agent = { agentId: actor.id, role: actor.role, groupId: actor.groupId };
  }

  private agentConnected(socket: IoSocket, agent: AgentSocketData): void {
    void socket.join(roomsOf({ id: agent.agentId, role: agent.role, groupId: agent.groupId }));
    const timer = this.goneTimers.get(agent.agentId);
    if (timer) clearTimeout(timer);
    this.goneTimers.delete(agent.agentId);
    socket.on("disconnect", () => this.agentSocketClosed(agent.agentId));
    for (const listener of this.socketListeners) listener(socket as unknown as Socket, agent);
  }

  private agentSocketClosed(agentId: string): void {
    if (this.closing || this.goneTimers.has(agentId)) return;
    if ((this.io.of("/").adapter.rooms.get(rooms.agent(agentId))?.size ?? 0) > 0) return;
    const timer = setTimeout(() => {
      this.goneTimers.delete(agentId);
      void this.checkGone(agentId);
    }, this.graceMs);
    timer.unref();
    this.goneTimers.set(agentId, timer);
  }

  private async checkGone(agentId: string): Promise<void> {
    try {
      // Another instance may hold the agent's new socket (a reload through the load balancer).
      if (this.closing || (await this.isConnected(agentId))) return;
      for (const listener of this.goneListeners) await listener(agentId);
    } catch (error) {
      this.options.logger.error({ err: error, agentId }, "could not handle an agent without sockets");
    }
  }

  private guestConnected(socket: IoSocket): void {
    let idle = setTimeout(() => socket.disconnect(true), GUEST_IDLE_MS);
    socket.on("disconnect", () => clearTimeout(idle));
    // A login page may do exactly one thing: watch its own login scene. Anything else ends the connection.
    socket.onAny((event: string, ...args: unknown[]) => {
      const [scene, ack] = args;
      if (event !== "login:watch" || typeof scene !== "string" || scene.length > 64) {
        socket.disconnect(true);
        return;
      }
      const reply = typeof ack === "function" ? (ack as (answer: unknown) => void) : () => undefined;
      void readLoginScene(this.options.kv, scene).then(
        async (view) => {
          if (view.status === "expired") {
            reply({ ok: false, status: "expired", message: "二维码已过期，请刷新" });
            return;
          }
          if (socket.data.loginScene) await socket.leave(rooms.loginPage(socket.data.loginScene));
          socket.data.loginScene = scene;
          await socket.join(rooms.loginPage(scene));
          clearTimeout(idle);
          idle = setTimeout(() => socket.disconnect(true), GUEST_IDLE_MS);
          reply({ ok: true, status: view.status });
          // The scan may have happened before the page started watching.
          if (view.status === "done") socket.emit("login:done", { scene, code: view.code });
          if (view.status === "refused") socket.emit("login:refused", { scene, message: view.message });
        },
        (error) => {
          this.options.logger.error({ err: error }, "login:watch failed");
          reply({ ok: false, status: "error", message: "服务器内部错误，请稍后重试" });
        },
      );
    });
  }

  /**
   * Shutting down: close the connections without a socket.io "disconnect" packet, so browsers see a
   * transport close and reconnect (to another instance, in a rolling deploy) instead of giving up.
   */
  private disconnectLocalSockets(): void {
    this.closing = true;
    for (const timer of this.goneTimers.values()) clearTimeout(timer);
    this.goneTimers.clear();
    this.io.engine?.close();
  }

  async close(): Promise<void> {
    this.disconnectLocalSockets();
    // io.close() also closes the HTTP server, which the composition root has closed already.
    await this.io.close().catch(() => undefined);
    await Promise.all(this.redisClients.map((client) => client.quit().catch(() => client.disconnect())));
  }
}

function sessionTokenFrom(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(";")) {
    const index = part.indexOf("=");
    if (index > 0 && part.slice(0, index).trim() === SESSION_COOKIE) {
      try {
        return decodeURIComponent(part.slice(index + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
