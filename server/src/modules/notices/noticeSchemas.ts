import { z } from "zod";
import { paragraph, words } from "../../http/console/authInput";
import { isOwnMediaPath } from "./noticeMedia";
import { chinaDay, NOTICE_KINDS, OUTAGE_TYPES } from "./noticeRules";

/** Request shapes of the notices APIs (console and fan), with the zh-CN messages people read. */

export const MAX_AREAS = 30;
export const MAX_TITLE = 60;
export const MAX_CONTENT = 5000;
export const MAX_ENTRY_TEXT = 1000;

/** Object bodies refuse unknown fields, naming them, so a typo is not silently ignored. */
const objectError = {
  error: (issue: { code?: string; keys?: string[] }) =>
    issue.code === "unrecognized_keys" ? `请求中有不认识的字段：${(issue.keys ?? []).join("、")}` : "请求体必须是 JSON 对象",
};

/** An instant with its zone (what the console sends: toISOString()); a zoneless time would be ambiguous. */
const instant = (label: string) =>
  z
    .string({ error: `${label}必须是时间文字（ISO 8601）` })
    .trim()
    .refine((value) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)), {
      message: `${label}不是有效的时间（需带时区的 ISO 8601，如 2026-11-24T08:00:00+08:00）`,
    })
    .transform((value) => new Date(value));

const optionalInstant = (label: string) => instant(label).nullable().optional();

export const noticeKindSchema = z.enum(NOTICE_KINDS as [string, ...string[]], {
  error: (issue) => (issue.input === undefined ? "请选择公告类型" : "公告类型必须是 outage（停水通知）、quality（水质公告）、pressure（水压公告）、repair（抢修动态）或 news（企业新闻）"),
});

const outageTypeSchema = z.enum(OUTAGE_TYPES as [string, ...string[]], { error: "停水类型必须是 planned（计划停水）或 emergency（紧急停水）" });

const areasSchema = z
  .array(words("区域名称", 50), { error: "区域必须是区域名称的列表" })
  .max(MAX_AREAS, { message: `区域最多 ${MAX_AREAS} 个` })
  .transform((areas) => [...new Set(areas)]);

/** Create and edit share one shape (the console form sends the whole notice); rules per kind below. */
export const noticeBodySchema = z
  .strictObject(
    {
      kind: noticeKindSchema,
      outageType: outageTypeSchema.nullable().optional(),
      title: words("标题", MAX_TITLE),
      content: paragraph("正文", MAX_CONTENT),
      areas: areasSchema.optional(),
      startsAt: optionalInstant("开始时间"),
      endsAt: optionalInstant("结束时间"),
      publishFrom: optionalInstant("生效时间"),
      publishUntil: optionalInstant("失效时间"),
    },
    objectError,
  )
  .superRefine((body, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (body.kind === "outage") {
      if (!body.outageType) issue("outageType", "请选择停水类型（计划停水或紧急停水）");
      if (!body.areas || body.areas.length === 0) issue("areas", "请至少填写一个停水区域");
      if (!body.startsAt) issue("startsAt", "请填写停水开始时间");
      if (!body.endsAt) issue("endsAt", "请填写预计恢复供水时间");
      if (body.startsAt && body.endsAt && body.endsAt <= body.startsAt) issue("endsAt", "恢复供水时间必须晚于停水开始时间");
    } else {
      if (body.outageType) issue("outageType", "只有停水通知可以选择停水类型");
      if (body.kind !== "repair" && (body.startsAt || body.endsAt)) issue("startsAt", "只有停水通知和抢修动态可以填写开始和结束时间");
      if (body.startsAt && body.endsAt && body.endsAt <= body.startsAt) issue("endsAt", "预计完成时间必须晚于开始时间");
    }
    if (body.publishFrom && body.publishUntil && body.publishUntil <= body.publishFrom) issue("publishUntil", "失效时间必须晚于生效时间");
  });

export type NoticeBody = z.infer<typeof noticeBodySchema>;

/** An http(s) URL, or the path of a photo uploaded here (POST /api/console/notices/media). */
const mediaUrl = z
  .string({ error: "媒体地址必须是文字" })
  .trim()
  .max(500, { message: "媒体地址最多 500 个字符" })
  .refine(
    (value) => {
      if (isOwnMediaPath(value)) return true;
      try {
        return ["http:", "https:"].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: "媒体地址必须是 http(s) 网址或上传后得到的图片地址" },
  );

export const entryBodySchema = z
  .strictObject(
    {
      kind: z.enum(["text", "image", "video"], { error: (issue) => (issue.input === undefined ? "请选择进展类型" : "进展类型必须是 text（文字）、image（图片）或 video（视频）") }),
      text: paragraph("进展说明", MAX_ENTRY_TEXT, { allowEmpty: true }).nullable().optional(),
      mediaUrl: mediaUrl.nullable().optional(),
      happenedAt: optionalInstant("进展时间"),
    },
    objectError,
  )
  .superRefine((body, ctx) => {
    if (body.kind === "text" && !body.text?.trim()) ctx.addIssue({ code: "custom", path: ["text"], message: "请填写进展说明" });
    if (body.kind === "text" && body.mediaUrl) ctx.addIssue({ code: "custom", path: ["mediaUrl"], message: "文字进展不能带图片或视频，请选择图片或视频类型" });
    if (body.kind !== "text" && !body.mediaUrl) ctx.addIssue({ code: "custom", path: ["mediaUrl"], message: body.kind === "image" ? "请提供图片地址" : "请提供视频地址" });
  });

export type EntryBody = z.infer<typeof entryBodySchema>;

const pageNumber = z.coerce.number({ error: "页码必须是数字" }).int({ message: "页码必须是整数" }).min(1, { message: "页码从 1 开始" }).max(10_000, { message: "页码太大" }).default(1);
const pageSize = z.coerce.number({ error: "每页条数必须是数字" }).int({ message: "每页条数必须是整数" }).min(1, { message: "每页条数为 1–50" }).max(50, { message: "每页条数为 1–50" }).default(20);

export const fanListQuerySchema = z.object({ kind: noticeKindSchema.optional(), page: pageNumber, pageSize });

const dayString = z
  .string({ error: "日期必须是文字" })
  .trim()
  .refine((value) => chinaDay(value) !== null, { message: "日期格式应为 YYYY-MM-DD（如 2026-11-24）" });

export const outageSearchQuerySchema = z.object({
  date: dayString.optional(),
  area: words("区域名称", 50).optional(),
  page: pageNumber,
  pageSize,
});

export const adminListQuerySchema = z.object({
  kind: noticeKindSchema.optional(),
  status: z.enum(["draft", "published", "unpublished"], { error: "状态必须是 draft（草稿）、published（已发布）或 unpublished（已下线）" }).optional(),
  q: z.string().trim().max(60, { message: "关键词最多 60 个字" }).optional(),
  page: pageNumber,
  pageSize,
});

export const templateSettingsSchema = z.strictObject(
  {
    outageTemplateId: z.string({ error: "模板 ID 必须是文字" }).trim().max(64, { message: "模板 ID 最多 64 个字符" }).regex(/^[A-Za-z0-9_-]*$/, { message: "模板 ID 只能包含字母、数字、下划线和连字符" }),
    areaKey: z.string().trim().regex(/^[a-z_]+\d+$/, { message: "停水区域字段名格式应如 thing1" }),
    startKey: z.string().trim().regex(/^[a-z_]+\d+$/, { message: "停水时间字段名格式应如 time2" }),
    endKey: z.string().trim().regex(/^[a-z_]+\d+$/, { message: "恢复时间字段名格式应如 time3" }),
    reasonKey: z.string().trim().regex(/^[a-z_]+\d+$/, { message: "停水原因字段名格式应如 thing4" }),
  },
  objectError,
);

export const photoUploadSchema = z.strictObject(
  {
    fileName: z.string({ error: "文件名必须是文字" }).trim().max(100, { message: "文件名太长" }).optional(),
    dataBase64: z.string({ error: (issue) => (issue.input === undefined ? "请提供图片内容" : "图片内容必须是 Base64 文字") }).min(1, { message: "图片是空的" }),
  },
  objectError,
);

/** Query strings: the first value of a repeated key, and "" as absent. */
export function queryObject(query: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(query).map(([key, value]) => [key, (Array.isArray(value) ? value[0] : value) || undefined]));
}
