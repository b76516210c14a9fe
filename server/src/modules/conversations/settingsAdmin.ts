import { badRequest } from "../../http/errors";
import { SETTING_DEFAULTS, type SettingKey, type Settings } from "../settings/settings";
import { conversationSettingsSchema, type ConversationSettingsInput } from "./schemas";

/** The conversation settings admins edit (service hours, automatic texts, timers, fallback template). */
export const CONVERSATION_SETTING_KEYS = Object.keys(conversationSettingsSchema.shape) as (keyof ConversationSettingsInput & SettingKey)[];

export async function readConversationSettings(settings: Settings) {
  const values: Record<string, unknown> = {};
  const defaults: Record<string, unknown> = {};
  for (const key of CONVERSATION_SETTING_KEYS) {
    values[key] = await settings.get(key);
    defaults[key] = SETTING_DEFAULTS[key];
  }
  return { values, defaults };
}

/** Saves the given keys after checking they make sense together (the reminder must come before the close). */
export async function updateConversationSettings(settings: Settings, input: ConversationSettingsInput) {
  const current = (await readConversationSettings(settings)).values as Record<string, unknown>;
  const next = { ...current, ...input } as Record<string, unknown>;
  if ((next["conversation.timers.autoCloseMinutes"] as number) <= (next["conversation.timers.fanReminderMinutes"] as number)) {
    throw badRequest("invalid_input", "自动结束时间必须大于粉丝未回复提醒时间");
  }
  for (const [key, value] of Object.entries(input)) {
    if (value !== undefined) await settings.set(key as SettingKey, value as never);
  }
  return readConversationSettings(settings);
}
