import type { Context } from "koa";
import getRawBody from "raw-body";
import { z } from "zod";
import { badRequest, HttpError, notFound } from "../errors";

/**
 * The validate step of every console route, beside auth.ts's authenticate step: read a JSON body,
 * parse it (or a query) with a zod schema, and turn the first problem into the one 400 shape.
 */

/**
 * The request's JSON body, read raw with a size limit (the one JSON reader of every API surface).
 * An empty body reads as `{}` so optional-only bodies may be left out.
 */
export async function readJson(
  ctx: Context,
  options: { limit?: number | string; tooLarge?: { code: string; message: string } } = {},
): Promise<unknown> {
  const length = Number(ctx.get("content-length") || 0);
  if (!ctx.get("transfer-encoding") && length === 0) return {};
  if (!ctx.is("application/json")) throw new HttpError(415, "unsupported_media_type", "请求体必须是 JSON（Content-Type: application/json）");
  let text: string;
  try {
    text = await getRawBody(ctx.req, { limit: options.limit ?? "64kb", length: ctx.get("content-length") || undefined, encoding: "utf8" });
  } catch (error) {
    if ((error as { type?: string }).type === "entity.too.large") {
      const tooLarge = options.tooLarge ?? { code: "body_too_large", message: "请求内容太大" };
      throw new HttpError(413, tooLarge.code, tooLarge.message);
    }
    throw badRequest("body_unreadable", "请求内容读取失败");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("invalid_json", "请求体不是合法的 JSON");
  }
}

/** Parses or throws 400 `invalid_input`, naming the first problem in words and listing all of them. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
  throw badRequest("invalid_input", issues[0]?.message ?? "请求内容不正确", issues);
}

export async function parseBody<T extends z.ZodType>(ctx: Context, schema: T): Promise<z.infer<T>> {
  return parseInput(schema, await readJson(ctx));
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A path id; anything that cannot be one of our ids is simply not found. */
export function idParam(value: string | undefined, message?: string): string {
  if (!value || !ID.test(value)) throw notFound(message);
  return value;
}

// Control characters would break display and the WeChat XML; line breaks and tabs are what people type.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** A single-line text field: trimmed, required, with a length limit and no control characters. */
export function words(label: string, max: number) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `请填写${label}` : `${label}必须是文字`) })
    .trim()
    .min(1, { message: `请填写${label}` })
    .max(max, { message: `${label}最多 ${max} 个字` })
    .refine((value) => !CONTROL_CHARACTERS.test(value) && !/[\r\n\t]/.test(value), { message: `${label}不能包含换行或控制字符` });
}

/** A multi-line text (messages, greetings): may be empty when `optional`, keeps inner line breaks. */
export function paragraph(label: string, max: number, options: { allowEmpty?: boolean } = {}) {
  const base = z
    .string({ error: (issue) => (issue.input === undefined ? `请填写${label}` : `${label}必须是文字`) })
    .max(max, { message: `${label}最多 ${max} 个字` })
    .refine((value) => !CONTROL_CHARACTERS.test(value), { message: `${label}含有不可见的控制字符` });
  return options.allowEmpty ? base : base.refine((value) => value.trim() !== "", { message: `请填写${label}` });
}
