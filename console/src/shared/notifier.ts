import { ElNotification } from "element-plus";
import { useSessionStore } from "../stores/session";
import { beep, desktopNotify } from "./alerts";

/**
 * What the agent hears and sees when something arrives, per their settings: a sound, a desktop
 * notification (when the console is not in front) and an in-page notification.
 */
export function notifyNewConversation(title: string, body: string, onClick?: () => void): void {
  const settings = useSessionStore().settings;
  if (settings?.soundOnNewConversation) beep("conversation");
  if (settings?.desktopOnNewConversation) desktopNotify(title, body, "new-conversation");
  ElNotification({ title, message: body, type: "info", duration: 5000, position: "bottom-right", onClick });
}

export function notifyNewMessage(title: string, body: string, tag: string): void {
  const settings = useSessionStore().settings;
  if (settings?.soundOnNewMessage) beep("message");
  if (settings?.desktopOnNewMessage) desktopNotify(title, body, tag);
}

/** Alerts and failures always show; their sound follows the new-message setting. */
export function notifyWarning(title: string, body: string, onClick?: () => void): void {
  const settings = useSessionStore().settings;
  if (settings?.soundOnNewMessage) beep("alert");
  if (settings?.desktopOnNewMessage) desktopNotify(title, body, `warning-${title}`);
  ElNotification({ title, message: body, type: "warning", duration: 8000, position: "bottom-right", onClick });
}

export function notifyError(title: string, body: string, onClick?: () => void): void {
  const settings = useSessionStore().settings;
  if (settings?.soundOnNewMessage) beep("alert");
  ElNotification({ title, message: body, type: "error", duration: 15_000, position: "bottom-right", onClick });
}
