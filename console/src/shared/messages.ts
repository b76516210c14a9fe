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

/** Browser types of WeChat's voice formats (fans' voice is usually AMR, which browsers rarely play). */
const VOICE_TYPES: Record<string, string> = {
  amr: "audio/amr",
  speex: "audio/ogg; codecs=speex",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  ogg: "audio/ogg",
  m4a: "audio/mp4",
  aac: "audio/aac",
};

/** Whether this browser's <audio> can play a voice message of this format. */
export function canPlayVoice(format: string | null): boolean {
  const type = format ? VOICE_TYPES[format.toLowerCase()] : undefined;
  if (!type || typeof document === "undefined") return false;
  return document.createElement("audio").canPlayType(type) !== "";
}

/** Cuts a preview to one short line as the server does for `lastFanMessage` (code points, so emoji stay whole). */
export function shortPreview(text: string, max = 60): string {
  const chars = [...text.replace(/\s+/g, " ").trim()];
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : chars.join("");
}
