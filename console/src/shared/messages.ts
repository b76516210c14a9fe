import type { MessageView } from "../api/types";

/** Reading kind-specific fields of a message's `media` safely. */
export function mediaString(message: Pick<MessageView, "media">, key: string): string | null {
  const value = message.media?.[key];
  return typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : null;
}

export function mediaNumber(message: Pick<MessageView, "media">, key: string): number | null {
  const value = message.media?.[key];
  const number = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  return Number.isFinite(number) ? number : null;
}
