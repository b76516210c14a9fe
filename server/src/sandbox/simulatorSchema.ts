import { z } from "zod";
import { badRequest } from "../http/errors";

/** Request shapes of the simulator's JSON API, with the messages the page shows when one is wrong. */

// Control characters would be stripped from the XML anyway; refusing them keeps the chat honest.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

function words(label: string, max: number) {
  return z
    .string({ message: `${label}必须是文字` })
    .trim()
    .min(1, { message: `请填写${label}` })
    .max(max, { message: `${label}最多 ${max} 个字` })
    .refine((value) => !CONTROL_CHARACTERS.test(value), { message: `${label}含有不可见的控制字符` });
}

export const openidSchema = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, { message: "openid 格式不正确" });

export const createFanSchema = z.object({ nickname: words("昵称", 20) });

export const fanMessageSchema = z.discriminatedUnion(
  "type",
  [
    z.object({
      type: z.literal("text"),
      // A fan's text cannot be blank, but its line breaks and spaces are part of what they typed.
      content: z
        .string({ message: "消息内容必须是文字" })
        .max(2000, { message: "消息最多 2000 个字" })
        .refine((value) => value.trim() !== "", { message: "请输入消息内容" })
        .refine((value) => !CONTROL_CHARACTERS.test(value.replace(/[\n\t]/g, "")), { message: "消息含有不可见的控制字符" }),
      /** Set when the fan tapped an option of a msgmenu message. */
      bizMsgMenuId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { message: "菜单选项 id 格式不正确" }).optional(),
    }),
    z.object({ type: z.literal("voice"), recognition: words("语音内容（识别文字）", 500) }),
    z.object({
      type: z.literal("location"),
      latitude: z.number({ message: "纬度必须是数字" }).min(-90, { message: "纬度应在 -90 到 90 之间" }).max(90, { message: "纬度应在 -90 到 90 之间" }),
      longitude: z
        .number({ message: "经度必须是数字" })
        .min(-180, { message: "经度应在 -180 到 180 之间" })
        .max(180, { message: "经度应在 -180 到 180 之间" }),
      label: words("地点名称", 100),
      scale: z.number().int().min(1).max(20, { message: "缩放级别应在 1 到 20 之间" }).optional(),
    }),
  ],
  { message: "消息类型必须是 text、voice 或 location（图片请用上传）" },
);

export const menuTapSchema = z.object({
  top: z.number({ message: "请指定菜单位置" }).int().min(0).max(2, { message: "一级菜单最多 3 个" }),
  sub: z.number().int().min(0).max(4, { message: "子菜单最多 5 个" }).optional(),
  name: z.string({ message: "请指定菜单名称" }).min(1).max(60),
});

export const scanSchema = z
  .object({
    scene: words("场景值", 64).optional(),
    ticket: words("ticket", 200).optional(),
  })
  .refine((code) => (code.scene === undefined) !== (code.ticket === undefined), { message: "请填写二维码的场景值（或 ticket，二选一）" });

export const timelineQuerySchema = z.object({
  since: z.coerce.number({ message: "since 必须是数字" }).int().min(0, { message: "since 不能为负数" }).default(0),
});

/** Parses or throws the one 400 shape, naming the first problem in words and listing all of them. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
  throw badRequest("invalid_input", issues[0]?.message ?? "请求内容不正确", issues);
}
