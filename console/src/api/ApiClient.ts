import { ApiError, NetworkError } from "./ApiError";

/** Where the console API lives; the Vite dev server proxies it to the Koa server. */
export const API_ROOT = "/api/console";

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue | QueryValue[]>;

type UnauthorizedListener = (error: ApiError) => void;
let onUnauthorized: UnauthorizedListener | null = null;

/**
 * Called once by main.ts with "go to the login page": a 401 anywhere means the session is gone.
 * Kept as a hook so the API layer does not import the router.
 */
export function setUnauthorizedHandler(listener: UnauthorizedListener | null): void {
  onUnauthorized = listener;
}

interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Do not redirect to the login page on 401 (the session probe and the login calls themselves). */
  allowUnauthorized?: boolean;
}

/**
 * The base of every resource client: same-origin fetch with the session cookie, JSON in and out,
 * and the server's error shape turned into ApiError. Subclasses name their resource's calls.
 */
export class ApiClient {
  constructor(protected readonly basePath: string) {}

  protected get<T>(path = "", query?: Query, options: Omit<RequestOptions, "query" | "body"> = {}): Promise<T> {
    return this.request<T>("GET", path, { ...options, query });
  }

  protected post<T>(path = "", body?: unknown, options: Omit<RequestOptions, "body"> = {}): Promise<T> {
    return this.request<T>("POST", path, { ...options, body });
  }

  protected put<T>(path = "", body?: unknown): Promise<T> {
    return this.request<T>("PUT", path, { body });
  }

  protected patch<T>(path = "", body?: unknown): Promise<T> {
    return this.request<T>("PATCH", path, { body });
  }

  protected delete<T>(path = "", query?: Query): Promise<T> {
    return this.request<T>("DELETE", path, { query });
  }

  /** The full URL of a path under this resource (for <img src>, links). */
  url(path = "", query?: Query): string {
    return `${this.basePath}${path}${toQueryString(query)}`;
  }

  private async request<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }

    let response: Response;
    try {
      response = await fetch(this.url(path, options.query), { method, headers, body, credentials: "same-origin" });
    } catch (cause) {
      throw new NetworkError(cause);
    }

    if (response.status === 204) return undefined as T;
    const payload: unknown = await readJson(response);
    if (response.ok) return payload as T;

    const error = toApiError(response, payload);
    if (error.isUnauthorized && !options.allowUnauthorized) onUnauthorized?.(error);
    throw error;
  }
}

function toQueryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) if (item !== undefined && item !== null && item !== "") params.append(key, String(item));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toApiError(response: Response, payload: unknown): ApiError {
  const shaped = (payload as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (shaped && typeof shaped.code === "string") {
    return new ApiError(response.status, shaped.code, typeof shaped.message === "string" ? shaped.message : defaultMessage(response.status), shaped.details);
  }
  return new ApiError(response.status, `http_${response.status}`, defaultMessage(response.status));
}

function defaultMessage(status: number): string {
  if (status === 401) return "未登录或登录已失效";
  if (status === 403) return "无权执行此操作";
  if (status === 404) return "资源不存在";
  if (status === 413) return "文件过大";
  if (status === 429) return "操作过于频繁，请稍后再试";
  if (status >= 500) return "服务器内部错误，请稍后重试";
  return "请求失败";
}
