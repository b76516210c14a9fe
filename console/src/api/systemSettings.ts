import { ApiClient, API_ROOT } from "./ApiClient";

/** The admin-editable conversation settings, by their setting keys. */
export interface ConversationSettingValues {
  "service.hoursStart": string;
  "service.hoursEnd": string;
  "service.offHoursReply": string;
  "conversation.queuedText": string;
  "conversation.blacklistReply": string;
  "conversation.transferNotice.enabled": boolean;
  "conversation.transferNotice.text": string;
  "conversation.reminderText": string;
  "conversation.autoCloseText": string;
  "conversation.ratingRequestText": string;
  "conversation.ratingThanksText": string;
  "conversation.timers.agentAlertMinutes": number;
  "conversation.timers.fanReminderMinutes": number;
  "conversation.timers.autoCloseMinutes": number;
  "conversation.timers.releaseMinutes": number;
  "conversation.fallbackTemplate.id": string;
  "conversation.fallbackTemplate.contentKey": string;
  "conversation.fallbackTemplate.timeKey": string;
}

export interface ConversationSettingsView {
  values: ConversationSettingValues;
  defaults: ConversationSettingValues;
}

/** Admin: service hours, automatic texts, timers, fallback template (server/src/http/console/settings.ts). */
export class SystemSettingsApi extends ApiClient {
  constructor() {
    super(`${API_ROOT}/settings`);
  }

  conversation(): Promise<ConversationSettingsView> {
    return this.get("/conversation");
  }

  updateConversation(changes: Partial<ConversationSettingValues>): Promise<ConversationSettingsView> {
    return this.put("/conversation", changes);
  }
}

export const systemSettingsApi = new SystemSettingsApi();
