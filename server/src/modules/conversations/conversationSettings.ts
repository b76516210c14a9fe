import type { Settings } from "../settings/settings";
import { timersFromMinutes, type ConversationTimers, type ServiceHours } from "./rules";

/** The admin settings the conversation service reads, in one typed object. */
export interface ConversationSettings {
  serviceHours: ServiceHours;
  offHoursReply: string;
  queuedText: string;
  blacklistReply: string;
  transferNotice: { enabled: boolean; text: string };
  reminderText: string;
  autoCloseText: string;
  ratingRequestText: string;
  ratingThanksText: string;
  timers: ConversationTimers;
  fallbackTemplate: { id: string; contentKey: string; timeKey: string };
}

export async function loadConversationSettings(settings: Settings): Promise<ConversationSettings> {
  return {
    serviceHours: { start: await settings.get("service.hoursStart"), end: await settings.get("service.hoursEnd") },
    offHoursReply: await settings.get("service.offHoursReply"),
    queuedText: await settings.get("conversation.queuedText"),
    blacklistReply: await settings.get("conversation.blacklistReply"),
    transferNotice: {
      enabled: await settings.get("conversation.transferNotice.enabled"),
      text: await settings.get("conversation.transferNotice.text"),
    },
    reminderText: await settings.get("conversation.reminderText"),
    autoCloseText: await settings.get("conversation.autoCloseText"),
    ratingRequestText: await settings.get("conversation.ratingRequestText"),
    ratingThanksText: await settings.get("conversation.ratingThanksText"),
    timers: timersFromMinutes({
      agentAlert: await settings.get("conversation.timers.agentAlertMinutes"),
      fanReminder: await settings.get("conversation.timers.fanReminderMinutes"),
      autoClose: await settings.get("conversation.timers.autoCloseMinutes"),
      release: await settings.get("conversation.timers.releaseMinutes"),
    }),
    fallbackTemplate: {
      id: await settings.get("conversation.fallbackTemplate.id"),
      contentKey: await settings.get("conversation.fallbackTemplate.contentKey"),
      timeKey: await settings.get("conversation.fallbackTemplate.timeKey"),
    },
  };
}

/** Fills {name} placeholders; unknown ones stay as written. */
export function fillTemplate(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
