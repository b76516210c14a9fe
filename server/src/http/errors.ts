import type { Middleware } from "koa";
import type { Logger } from "../infra/logger";

/** The one HTTP error: a status, a machine code and a message for people (zh-CN where fans or agents read it). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string, details?: unknown) => new HttpError(400, code, message, details);
export const unauthorized = (message = "未登录或登录已失效") => new HttpError(401, "unauthorized", message);
export const forbidden = (message = "无权执行此操作") => new HttpError(403, "forbidden", message);
export const notFound = (message = "资源不存在") => new HttpError(404, "not_found", message);
export const conflict = (code: string, message: string) => new HttpError(409, code, message);

/** Turns thrown errors into `{ error: { code, message, details? } }`; unexpected ones become a logged 500. */
export function errorMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof HttpError) {
        ctx.status = error.status;
        ctx.body = { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
        return;
      }
      const status = (error as { status?: number }).status;
      if (status && status >= 400 && status < 500) {
        ctx.status = status;
        ctx.body = { error: { code: "bad_request", message: (error as Error).message } };
        return;
      }
      logger.error({ err: error, path: ctx.path, method: ctx.method }, "request failed");
      ctx.status = 500;
      ctx.body = { error: { code: "internal", message: "服务器内部错误，请稍后重试" } };
    }
  };
}
