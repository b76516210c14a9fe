import type { RunningServer } from "../../src/server";

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * One call to the server's HTTP API as the console or an H5 page makes it: JSON in and out (an answer that
 * is not JSON, such as an HTML page, stays text). Redirects are returned, not followed, so a test sees them.
 */
export async function api<T = any>(
  server: Pick<RunningServer, "url">,
  method: string,
  path: string,
  options: { cookie?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const response = await fetch(`${server.url}${path}`, { method, headers, body, redirect: "manual" });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // HTML pages stay text
  }
  // Headers are there to read but not enumerable: tests compare a whole response as { status, body }.
  return Object.defineProperty({ status: response.status, body: parsed as T }, "headers", { value: response.headers, enumerable: false }) as ApiResponse<T>;
}
