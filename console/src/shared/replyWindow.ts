/**
 * The console's mirror of server/src/modules/outbox/replyWindow.ts. The server decides (and says how much
 * of the window is left in every conversation view); these only drive the countdown and disable the
 * input before a send would fail. The 30-minute release comes as `releaseAt` and is counted the same way.
 */
export const REPLY_WINDOW_MS = 48 * 60 * 60 * 1000;
/** Below this the countdown turns orange, so the agent wraps up or plans a template message. */
export const WINDOW_WARNING_MS = 2 * 60 * 60 * 1000;

/**
 * When the window closes on this browser's clock, from a view's `windowRemainingMs` (the server's count
 * at `asOf`) and the moment the view arrived; null when closed.
 */
export function windowClosesAt(windowRemainingMs: number, receivedAt: number): number | null {
  return windowRemainingMs > 0 ? receivedAt + windowRemainingMs : null;
}

/** A fan's message opens a fresh 48-hour window. */
export function windowAfterFanMessage(now: number): number {
  return now + REPLY_WINDOW_MS;
}

/** "47:59:12"; under an hour "59:12"; closed "已关闭". */
export function formatRemaining(ms: number): string {
  if (ms <= 0) return "已关闭";
  const totalSeconds = Math.floor(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const mm = String(minutes).padStart(2, "0");
  const ss = String(seconds).padStart(2, "0");
  return hours > 0 ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** The server's words (server/src/modules/conversations/rules.ts WINDOW_CLOSED_MESSAGE). */
export const WINDOW_CLOSED_TEXT = "粉丝最后一次互动已超过48小时，无法发送客服消息，请改用模板消息";
