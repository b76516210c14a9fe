import type { DataSource } from "typeorm";
import type { Clock } from "../../infra/clock";
import { SettingRow } from "./setting.entity";

/**
 * Every admin-editable setting with its default. Values live in the `setting` table; a missing row means
 * the default. Later modules add their keys here so there is one list to read.
 */
export const SETTING_DEFAULTS = {
  /** Text answered to a new follower (passive reply to the subscribe event); empty = no reply. */
  "welcome.text": "您好，欢迎关注水务客服！\n回复“人工”联系在线客服，点击下方菜单可绑定户号、查询水费、在线缴费。",
  /** Customer-service messages allowed after a fan's message, and for how long (WeChat's current rule: 5 in 48 h). */
  "quota.afterMessage.count": 5,
  "quota.afterMessage.windowMinutes": 48 * 60,
  /** Customer-service messages allowed after a menu click, follow or QR scan (WeChat's current rule: 3 in 1 min). */
  "quota.afterEvent.count": 3,
  "quota.afterEvent.windowMinutes": 1,

  // ---- conversations (human service) ----
  /** Service hours in China time (UTC+8), "HH:MM"; the end may be "24:00". Outside them fans get the off-hours reply and leave a message. */
  "service.hoursStart": "08:30",
  "service.hoursEnd": "21:30",
  "service.offHoursReply": "您好，现在是非人工服务时间（人工服务时间 08:30–21:30）。您的留言已收到，客服上班后会尽快回复您。",
  /** Answered when a fan enters the waiting queue (or asks for a human again while waiting). */
  "conversation.queuedText": "您好，正在为您转接人工客服，请稍候……",
  /** Answered to a blacklisted fan instead of queueing; empty = no answer. */
  "conversation.blacklistReply": "您好，您的消息已收到。",
  /** Whether the fan is told when the conversation is transferred; {agent} is the new agent's name. */
  "conversation.transferNotice.enabled": true,
  "conversation.transferNotice.text": "您的会话已转接给客服{agent}，请稍候。",
  /** Sent when the fan has been silent for the reminder time after an agent's message. */
  "conversation.reminderText": "您好，请问还有其他问题需要咨询吗？如长时间未回复，本次会话将自动结束。",
  /** Sent when a conversation closes because the fan stayed silent. */
  "conversation.autoCloseText": "由于您长时间未回复，本次会话已结束。如需帮助，请回复“人工”。",
  /** The rating request; {link} is the rating page. */
  "conversation.ratingRequestText": "请您对本次服务进行评价：直接回复数字 1–5（5 为非常满意），或点击链接评价：{link}",
  "conversation.ratingThanksText": "感谢您的评价，祝您生活愉快！",
  /** Timers (minutes): unanswered fan → alert; silent fan → reminder, then automatic close; idle → released (re-accept). */
  "conversation.timers.agentAlertMinutes": 5,
  "conversation.timers.fanReminderMinutes": 5,
  "conversation.timers.autoCloseMinutes": 8,
  "conversation.timers.releaseMinutes": 30,
  /** The template message offered when the 48-hour window has closed; empty = not configured. Its data keys carry the text and the time. */
  "conversation.fallbackTemplate.id": "",
  "conversation.fallbackTemplate.contentKey": "thing1",
  "conversation.fallbackTemplate.timeKey": "time2",

  // ---- water services ----
  /** When the monthly bill notice goes out: a cron expression (minute hour day month weekday) in China time. */
  "water.billPush.schedule": "0 9 5 * *",
  /** The bill notice template (水费账单通知); empty = the monthly push is off. */
  "water.billPush.templateId": "",
  /** The template's data keys: 户号 (character_string), 账单月份与用水量 (thing, ≤20 chars), 金额 (amount), 状态 (thing). */
  "water.billPush.accountKey": "character_string1",
  "water.billPush.periodKey": "thing2",
  "water.billPush.amountKey": "amount3",
  "water.billPush.statusKey": "thing4",

  // ---- notices ----
  /** The emergency outage template (停水通知); empty = no notification (the sandbox then uses a demo id). */
  "notices.outageTemplateId": "",
  /** The template's data keys: 停水区域 (thing), 停水时间 and 恢复时间 (time), 停水原因 (thing). */
  "notices.outageTemplate.areaKey": "thing1",
  "notices.outageTemplate.startKey": "time2",
  "notices.outageTemplate.endKey": "time3",
  "notices.outageTemplate.reasonKey": "thing4",

  // ---- payments ----
  /** Minutes a fan has to pay an order (WeChat's time_expire); an unpaid order is closed after it. */
  "payments.order.expiryMinutes": 15,
  /** Top-up limits per order, in fen (¥10 – ¥5000). */
  "payments.topup.minFen": 1000,
  "payments.topup.maxFen": 500000,
  /** 缴费成功通知 after a bill payment or top-up is credited; empty = none (the sandbox then uses a demo id). */
  "payments.successTemplate.id": "",
  /** The template's data keys: 户号 (character_string), 金额 (amount), 缴费时间 (time), 说明 (thing). */
  "payments.successTemplate.accountKey": "character_string1",
  "payments.successTemplate.amountKey": "amount2",
  "payments.successTemplate.timeKey": "time3",
  "payments.successTemplate.remarkKey": "thing4",
  /** The daily reconciliation against the WeChat Pay trade bill (runs after 10:00 China time for the day before). */
  "payments.reconcile.enabled": true,

  // ---- applications ----
  /** The status-change template (业务办理进度通知); empty = a customer-service text (only within 48 h); the sandbox uses a demo id. */
  "applications.statusTemplate.id": "",
  /** The template's data keys: 业务类型 (thing), 办理状态 (phrase), 更新时间 (time), 备注 (thing). */
  "applications.statusTemplate.typeKey": "thing1",
  "applications.statusTemplate.statusKey": "phrase2",
  "applications.statusTemplate.timeKey": "time3",
  "applications.statusTemplate.noteKey": "thing4",

  // ---- complaints ----
  /** Hours a complaint may stay unanswered (no result sent) before the complaint center marks it overdue. */
  "complaints.slaHours": 48,
  /** The result template (投诉处理结果通知); empty = a customer-service text (only within 48 h); the sandbox uses a demo id. */
  "complaints.resultTemplate.id": "",
  /** The template's data keys: 工单号 (character_string), 处理结果 (thing), 处理时间 (time). */
  "complaints.resultTemplate.numberKey": "character_string1",
  "complaints.resultTemplate.resultKey": "thing2",
  "complaints.resultTemplate.timeKey": "time3",
} as const;

export type SettingKey = keyof typeof SETTING_DEFAULTS;
type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : T;
export type SettingValue<K extends SettingKey> = Widen<(typeof SETTING_DEFAULTS)[K]>;

/** Reads settings through a short in-process cache so hot paths (reply hooks, the outbox) don't query each time. */
export class Settings {
  private cache: { values: Map<string, unknown>; loadedAt: number } | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly cacheMs = 5000,
  ) {}

  async get<K extends SettingKey>(key: K): Promise<SettingValue<K>> {
    const values = await this.load();
    return (values.has(key) ? values.get(key) : SETTING_DEFAULTS[key]) as SettingValue<K>;
  }

  async set<K extends SettingKey>(key: K, value: SettingValue<K>): Promise<void> {
    await this.dataSource.getRepository(SettingRow).save({ key, value, updatedAt: this.clock.now() });
    this.cache = null;
  }

  private async load(): Promise<Map<string, unknown>> {
    const now = this.clock.now().getTime();
    if (this.cache && now - this.cache.loadedAt < this.cacheMs) return this.cache.values;
    const rows = await this.dataSource.getRepository(SettingRow).find();
    const values = new Map(rows.map((row) => [row.key, row.value]));
    this.cache = { values, loadedAt: now };
    return values;
  }
}
