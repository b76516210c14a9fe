import { io, type Socket } from "socket.io-client";
import { SOCKET_OPTIONS } from "./connector";

export interface LoginWatchHandlers {
  /** The QR code was scanned by a bound WeChat: exchange this one-time code for the session cookie. */
  done(code: string): void;
  /** Scanned by a WeChat that is not bound to any agent (the page may still be scanned by a bound one). */
  refused(message: string): void;
  /** The scene is unknown or past its lifetime: show a fresh QR code. */
  expired(): void;
}

interface WatchAnswer {
  ok: boolean;
  status: "pending" | "refused" | "done" | "expired" | "error";
  message?: string;
}

/**
 * The login page's unauthenticated socket: it may only watch its own login scene (`login:watch`), and
 * hears `login:done` / `login:refused` for it. Re-watches after a reconnect, since the room is per
 * connection. Returns a stop function.
 */
export function watchLoginScene(scene: string, handlers: LoginWatchHandlers): () => void {
  const socket: Socket = io({ ...SOCKET_OPTIONS, forceNew: true });
  let stopped = false;

  socket.on("connect", () => {
    socket.timeout(10_000).emit("login:watch", scene, (error: Error | null, answer?: WatchAnswer) => {
      if (stopped || error || !answer) return; // the poll fallback covers a lost answer
      if (answer.status === "expired") handlers.expired();
    });
  });
  socket.on("login:done", (payload: { scene: string; code: string }) => {
    if (!stopped && payload.scene === scene) handlers.done(payload.code);
  });
  socket.on("login:refused", (payload: { scene: string; message: string }) => {
    if (!stopped && payload.scene === scene) handlers.refused(payload.message);
  });

  return () => {
    stopped = true;
    socket.removeAllListeners();
    socket.disconnect();
  };
}
