import { z } from "zod";
import { paragraph, words } from "../../http/console/authInput";

/** Request shapes of the agents, login and me APIs, with the messages the console shows when one is wrong. */

export const MAX_CAPACITY = 100;

export const jobNumberSchema = z
  .string({ error: (issue) => (issue.input === undefined ? "请填写工号" : "工号必须是文字") })
  .trim()
  .min(1, { message: "请填写工号" })
  .max(20, { message: "工号最多 20 位" })
  .regex(/^[A-Za-z0-9_-]+$/, { message: "工号只能包含字母、数字、下划线和连字符" });

export const roleSchema = z.enum(["agent", "supervisor", "admin"], {
  error: (issue) => (issue.input === undefined ? "请选择角色" : "角色必须是 agent（客服）、supervisor（组长）或 admin（管理员）"),
});

export const capacitySchema = z
  .number({ message: "接待上限必须是数字" })
  .int({ message: "接待上限必须是整数" })
  .min(0, { message: "接待上限不能小于 0（0 表示忙碌，不分配新会话）" })
  .max(MAX_CAPACITY, { message: `接待上限最多 ${MAX_CAPACITY}` });

export const passwordSchema = z
  .string({ message: "密码必须是文字" })
  .min(8, { message: "密码至少 8 位" })
  .max(64, { message: "密码最多 64 位" })
  .refine((value) => value.trim() === value && value.trim() !== "", { message: "密码首尾不能是空格" });

/** Object bodies refuse unknown fields, naming them, so a typo is not silently ignored. */
const objectError = {
  error: (issue: { code?: string; keys?: string[] }) =>
    issue.code === "unrecognized_keys" ? `请求中有不认识的字段：${(issue.keys ?? []).join("、")}` : "请求体必须是 JSON 对象",
};

const NOT_AN_OBJECT = { error: "请求体必须是 JSON 对象" };

const groupIdSchema = z.string({ message: "分组必须是分组 id" }).uuid({ message: "分组不存在" }).nullable();

export const createAgentSchema = z
  .strictObject(
    {
      name: words("姓名", 20),
      jobNumber: jobNumberSchema,
      role: roleSchema,
      groupId: groupIdSchema.optional(),
      capacity: capacitySchema.optional(),
      password: passwordSchema.optional(),
    },
    objectError,
  )
  .refine((input) => input.password === undefined || input.role === "admin", { message: "只有管理员账号可以设置登录密码", path: ["password"] });

export const updateAgentSchema = z
  .strictObject(
    {
      name: words("姓名", 20).optional(),
      jobNumber: jobNumberSchema.optional(),
      role: roleSchema.optional(),
      groupId: groupIdSchema.optional(),
      capacity: capacitySchema.optional(),
      /** null removes the password (QR login only). */
      password: passwordSchema.nullable().optional(),
    },
    objectError,
  );

export const listAgentsQuerySchema = z.object({
  bound: z.enum(["true", "false"], { message: "bound 只能是 true 或 false" }).optional(),
  role: roleSchema.optional(),
  groupId: z.string().uuid({ message: "分组不存在" }).optional(),
  q: z.string().trim().max(50, { message: "搜索词最多 50 个字" }).optional(),
});

export const groupSchema = z.strictObject({ name: words("分组名称", 20) }, objectError);

export const passwordLoginSchema = z.object(
  {
    jobNumber: z.string({ message: "请填写工号" }).trim().min(1, { message: "请填写工号" }).max(40, { message: "工号或密码错误" }),
    password: z.string({ message: "请填写密码" }).min(1, { message: "请填写密码" }).max(200, { message: "工号或密码错误" }),
  },
  NOT_AN_OBJECT,
);

export const loginExchangeSchema = z.object(
  {
    scene: z.string({ message: "缺少二维码场景值" }).min(1, { message: "缺少二维码场景值" }).max(64, { message: "二维码场景值不正确" }),
    code: z.string({ message: "缺少登录凭证" }).min(1, { message: "缺少登录凭证" }).max(100, { message: "登录凭证不正确" }),
  },
  NOT_AN_OBJECT,
);

export const statusSchema = z.object(
  {
    status: z.enum(["online", "away", "offline"], { message: "状态必须是 online（在线）、away（离开）或 offline（离线）" }),
  },
  NOT_AN_OBJECT,
);

export const settingsSchema = z
  .strictObject(
    {
      autoAccept: z.boolean({ message: "自动接入必须是 true 或 false" }).optional(),
      capacity: capacitySchema.optional(),
      greeting: paragraph("欢迎语", 600, { allowEmpty: true }).optional(),
      awayReply: paragraph("离开时自动回复", 600, { allowEmpty: true }).optional(),
      soundOnNewConversation: z.boolean({ message: "新会话提示音必须是 true 或 false" }).optional(),
      soundOnNewMessage: z.boolean({ message: "新消息提示音必须是 true 或 false" }).optional(),
      desktopOnNewConversation: z.boolean({ message: "新会话桌面通知必须是 true 或 false" }).optional(),
      desktopOnNewMessage: z.boolean({ message: "新消息桌面通知必须是 true 或 false" }).optional(),
      sendKey: z.enum(["enter", "ctrl_enter"], { message: "发送键必须是 enter 或 ctrl_enter" }).optional(),
    },
    objectError,
  );
