import { z } from "zod";
import { paragraph, words } from "../../http/console/authInput";
import { parseClockTime } from "./rules";

/** Request shapes of the conversation console API, with the messages the console shows when one is wrong. */

const id = (label: string) => z.string({ message: `请选择${label}` }).regex(/^[0-9a-f-]{36}$/, { message: `${label}不正确` });

export const transferSchema = z.object({
  toAgentId: id("接收会话的客服"),
  note: paragraph("转接说明", 200, { allowEmpty: true }).optional(),
});

export const dispatchSchema = z.object({ toAgentId: id("接收会话的客服") });

export const closeSchema = z.object({
  outcome: z.enum(["resolved", "unresolved", "refused"], { message: "请选择结束结果：已解决、未解决或拒绝服务" }),
  reason: paragraph("原因", 500, { allowEmpty: true }).optional(),
});

export const agentMessageSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("text"), content: paragraph("消息内容", 2000) }),
    z.object({ kind: z.literal("image"), mediaId: z.string({ message: "请先上传图片" }).trim().min(1, { message: "请先上传图片" }).max(200) }),
  ],
  { message: "消息类型必须是 text 或 image" },
);

export const templateSchema = z.object({ content: paragraph("模板消息内容", 200) });

export const historyQuerySchema = z.object({
  from: z.coerce.date({ message: "开始时间格式不正确" }).optional(),
  to: z.coerce.date({ message: "结束时间格式不正确" }).optional(),
  fan: z.string().trim().max(64).optional(),
  agentId: id("客服").optional(),
  keyword: z.string().trim().max(100).optional(),
  status: z.enum(["closed", "all"]).default("closed"),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

export const leaveListQuerySchema = z.object({
  status: z.enum(["unhandled", "handled", "all"]).default("unhandled"),
  openid: z.string().trim().max(64).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

export const leaveReadSchema = z.object({ ids: z.array(id("留言")).max(500).optional() });

export const leaveReplySchema = z.object({ content: paragraph("回复内容", 2000) });

export const moveSchema = z.object({ to: z.enum(["top", "up", "down", "bottom"], { message: "移动方向必须是 top、up、down 或 bottom" }) });

export const keywordRuleSchema = z.object({
  keyword: words("关键词", 50),
  matchType: z.enum(["exact", "contains"], { message: "匹配方式必须是 exact（完全匹配）或 contains（包含）" }),
  reply: paragraph("回复内容", 2000),
  enabled: z.boolean().default(true),
});

export const keywordRulePatchSchema = keywordRuleSchema.partial();

const clockTime = (label: string) =>
  z.string().refine((value) => parseClockTime(value) !== null, { message: `${label}格式应为 HH:MM（00:00–24:00）` });
const minutes = (label: string) => z.number({ message: `${label}必须是分钟数` }).int({ message: `${label}必须是整数分钟` }).min(1, { message: `${label}至少 1 分钟` }).max(1440, { message: `${label}最多 1440 分钟` });
const text = (label: string) => paragraph(label, 600, { allowEmpty: true });

/** The admin-editable conversation settings: every key optional in a PUT. */
export const conversationSettingsSchema = z
  .object({
    "service.hoursStart": clockTime("服务开始时间"),
    "service.hoursEnd": clockTime("服务结束时间"),
    "service.offHoursReply": text("非服务时间回复"),
    "conversation.queuedText": text("排队提示"),
    "conversation.blacklistReply": text("黑名单回复"),
    "conversation.transferNotice.enabled": z.boolean({ message: "转接提示开关必须是 true 或 false" }),
    "conversation.transferNotice.text": text("转接提示"),
    "conversation.reminderText": text("提醒文字"),
    "conversation.autoCloseText": text("自动结束提示"),
    "conversation.ratingRequestText": paragraph("评价邀请", 600),
    "conversation.ratingThanksText": text("评价感谢语"),
    "conversation.timers.agentAlertMinutes": minutes("客服未回复告警时间"),
    "conversation.timers.fanReminderMinutes": minutes("粉丝未回复提醒时间"),
    "conversation.timers.autoCloseMinutes": minutes("自动结束时间"),
    "conversation.timers.releaseMinutes": minutes("会话释放时间"),
    "conversation.fallbackTemplate.id": z.string().trim().max(64, { message: "模板ID最多 64 个字符" }),
    "conversation.fallbackTemplate.contentKey": z.string().regex(/^[a-z_]+\d*$/, { message: "模板内容字段名格式不正确（如 thing1）" }),
    "conversation.fallbackTemplate.timeKey": z.string().regex(/^[a-z_]+\d*$/, { message: "模板时间字段名格式不正确（如 time2）" }),
  })
  .partial()
  .strict();

export type ConversationSettingsInput = z.infer<typeof conversationSettingsSchema>;
