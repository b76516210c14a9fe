/**
 * Sound and desktop notifications. The beep is generated with Web Audio (no asset to ship); desktop
 * notifications use the Notification API once the agent allowed them. Browsers only let audio start
 * after a user gesture, so `unlockAudio` runs on the first click anywhere.
 */
let audio: AudioContext | null = null;

function audioContext(): AudioContext | null {
  if (audio) return audio;
  const Ctor = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Ctor) return null;
  audio = new Ctor();
  return audio;
}

export function unlockAudio(): void {
  const context = audioContext();
  if (context && context.state === "suspended") void context.resume();
}

/** Two short tones: "new conversation" is higher than "new message", so agents tell them apart by ear. */
export function beep(kind: "conversation" | "message" | "alert" = "message"): void {
  const context = audioContext();
  if (!context || context.state !== "running") return;
  const tones = kind === "conversation" ? [880, 1175] : kind === "alert" ? [660, 660] : [740];
  let start = context.currentTime;
  for (const frequency of tones) {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.18);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(start);
    oscillator.stop(start + 0.2);
    start += 0.22;
  }
}

export type DesktopPermission = NotificationPermission | "unsupported";

export function desktopPermission(): DesktopPermission {
  return typeof Notification === "undefined" ? "unsupported" : Notification.permission;
}

export async function requestDesktopPermission(): Promise<DesktopPermission> {
  if (typeof Notification === "undefined") return "unsupported";
  if (Notification.permission !== "default") return Notification.permission;
  return Notification.requestPermission();
}

/** Shows a desktop notification when the page is not in front; clicking it brings the console back. */
export function desktopNotify(title: string, body: string, tag?: string): void {
  if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
  if (document.visibilityState === "visible" && document.hasFocus()) return;
  const notification = new Notification(title, { body, tag, icon: undefined });
  notification.onclick = () => {
    window.focus();
    notification.close();
  };
}
