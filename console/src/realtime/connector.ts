import { ref, type Ref } from "vue";
import { io, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";

/**
 * Same origin as the page (the Vite dev server proxies /socket.io), the session cookie included.
 * Default transports (long-polling, then the websocket upgrade): nginx pins socket.io clients to one
 * instance, and polling still works where a proxy drops websockets.
 */
export const SOCKET_OPTIONS: Partial<ManagerOptions & SocketOptions> = {
  path: "/socket.io",
  withCredentials: true,
  reconnectionDelay: 1_000,
  reconnectionDelayMax: 10_000,
};

/** How often the heartbeat checks the connection (socket.io's own ping runs every 20 s underneath). */
const HEARTBEAT_MS = 15_000;

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "offline";

export type EventHandlers = Record<string, (payload: never) => void>;

export interface ConnectorOptions {
  /** The one event name → store action table. */
  handlers: EventHandlers;
  /** Refetch the current state: runs after every reconnect (events may have been missed meanwhile). */
  refetch: () => Promise<void>;
}

/**
 * The signed-in console's socket. It wires every event of the table to its action, watches the
 * connection with a heartbeat (socket.io stops retrying after the server closed the connection, e.g. a
 * restart; the heartbeat starts it again, and again when the laptop wakes or the network returns) and
 * refetches the current state after any reconnect, so nothing missed while away stays missing.
 */
export class RealtimeConnector {
  readonly state: Ref<ConnectionState> = ref("connecting");
  private socket: Socket | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private connectedOnce = false;
  private ended = false;

  constructor(private readonly options: ConnectorOptions) {}

  start(): void {
    if (this.socket) return;
    this.ended = false;
    const socket = io(SOCKET_OPTIONS);
    this.socket = socket;

    for (const [event, action] of Object.entries(this.options.handlers)) {
      socket.on(event, (payload: unknown) => {
        try {
          action(payload as never);
        } catch (error) {
          console.error(`realtime ${event} handler failed`, error);
        }
      });
    }

    socket.on("connect", () => {
      const isReconnect = this.connectedOnce;
      this.connectedOnce = true;
      this.state.value = "connected";
      if (isReconnect) void this.options.refetch().catch((error) => console.error("refetch after reconnect failed", error));
    });
    socket.on("disconnect", () => {
      if (!this.ended) this.state.value = "reconnecting";
    });
    socket.on("connect_error", () => {
      if (!this.ended) this.state.value = this.connectedOnce ? "reconnecting" : "connecting";
    });

    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    window.addEventListener("online", this.wake);
    document.addEventListener("visibilitychange", this.wake);
  }

  /** Stops for good (logout, session ended). */
  stop(): void {
    this.ended = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    window.removeEventListener("online", this.wake);
    document.removeEventListener("visibilitychange", this.wake);
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    this.connectedOnce = false;
    this.state.value = "offline";
  }

  private beat(): void {
    const socket = this.socket;
    if (!socket || this.ended) return;
    // `active` is false once the server closed the connection itself; socket.io then waits for us.
    if (!socket.connected && !socket.active) {
      this.state.value = "reconnecting";
      socket.connect();
    }
  }

  private readonly wake = () => {
    if (document.visibilityState === "visible") this.beat();
  };
}
