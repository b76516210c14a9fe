/**
 * The server's one error shape, `{ error: { code, message, details? } }`, as a typed exception.
 * `message` is written for people (zh-CN) and can be shown as is.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }

  get isUnauthorized(): boolean {
    return this.status === 401;
  }

}

/** A failure before any response arrived (server down, network gone). */
export class NetworkError extends ApiError {
  constructor(cause: unknown) {
    super(0, "network", "无法连接服务器，请检查网络后重试");
    this.cause = cause;
  }
}

/** A message for an ElMessage toast from anything a call may throw. */
export function errorMessage(error: unknown, fallback = "操作失败，请稍后重试"): string {
  if (error instanceof ApiError) return error.message || fallback;
  return fallback;
}
