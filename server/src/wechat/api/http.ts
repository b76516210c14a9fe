import { LOCAL_ERRCODE, WechatApiError } from "./errors";

/**
 * The HTTP layer shared by the token provider and the API client: one place that turns fetch
 * failures, 5xx answers and {errcode≠0} bodies into WechatApiError.
 */

export type WechatJson = Record<string, unknown>;

export interface WechatRequest {
  method: "GET" | "POST";
  url: string;
  /** The API path for errors and logs; the URL itself may carry the app secret. */
  path: string;
  body?: string | FormData;
  headers?: Record<string, string>;
  timeoutMs: number;
}

/** Sends one request; only network failures, timeouts and HTTP 5xx throw here. */
export async function sendWechatRequest(fetchImpl: typeof fetch, request: WechatRequest): Promise<Response> {
  let response: Response;
  try {
    response = await fetchImpl(request.url, {
      method: request.method,
      body: request.body,
      headers: request.headers,
      // The signal also bounds reading the body, so a stalled download times out too.
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (error) {
    throw networkError(request, error);
  }
  if (response.status >= 500) {
    await response.body?.cancel().catch(() => undefined);
    throw new WechatApiError({
      path: request.path,
      errcode: LOCAL_ERRCODE.httpStatus,
      errmsg: `HTTP ${response.status} ${response.statusText}`.trim(),
      httpStatus: response.status,
    });
  }
  return response;
}

/** Reads the body of a response as WeChat JSON; throws on 4xx, non-JSON or errcode ≠ 0. */
export async function readWechatJson(response: Response, request: WechatRequest): Promise<WechatJson> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw networkError(request, error);
  }
  if (!response.ok) {
    throw new WechatApiError({
      path: request.path,
      errcode: LOCAL_ERRCODE.badResponse,
      errmsg: `HTTP ${response.status}: ${text.slice(0, 200)}`,
      httpStatus: response.status,
    });
  }
  return checkErrcode(parseWechatJson(text, request.path), request.path);
}

/** Throws when the body reports an error; errcode absent or 0 means success. */
/** Reads a binary body (media downloads); anything but 2xx is a bad response. */
export async function readWechatBinary(response: Response, request: WechatRequest): Promise<Buffer> {
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new WechatApiError({
      path: request.path,
      errcode: LOCAL_ERRCODE.badResponse,
      errmsg: `HTTP ${response.status}`,
      httpStatus: response.status,
    });
  }
  try {
    return Buffer.from(await response.arrayBuffer());
  } catch (error) {
    throw networkError(request, error);
  }
}

export function checkErrcode(body: WechatJson, path: string): WechatJson {
  const errcode = Number(body.errcode ?? 0);
  if (errcode !== 0) {
    throw new WechatApiError({ path, errcode, errmsg: String(body.errmsg ?? "") });
  }
  return body;
}

export function parseWechatJson(text: string, path: string): WechatJson {
  try {
    const parsed: unknown = JSON.parse(quoteLongIntegers(text));
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as WechatJson;
  } catch {
    // fall through to the error below
  }
  throw new WechatApiError({
    path,
    errcode: LOCAL_ERRCODE.badResponse,
    errmsg: `expected a JSON object, got: ${text.slice(0, 200)}`,
  });
}

// A JSON string (skipped as is) or an integer of 16+ digits standing alone (not part of a decimal or exponent).
const STRING_OR_LONG_INTEGER = /"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/g;

/**
 * Wraps integers of 16 or more digits in quotes so JSON.parse keeps them exact: template msgid and
 * MsgId exceed 2^53 and would otherwise be rounded. Numbers inside strings are left alone.
 */
export function quoteLongIntegers(json: string): string {
  return json.replace(STRING_OR_LONG_INTEGER, (match) => (match.startsWith('"') ? match : `"${match}"`));
}

function networkError(request: WechatRequest, error: unknown): WechatApiError {
  // Duck-typed on purpose: fetch's errors come from Node's own realm, where `instanceof Error` can fail.
  const name = errorField(error, "name");
  const detail = name === "TimeoutError" || name === "AbortError" ? `timed out after ${request.timeoutMs} ms` : describeCause(error);
  return new WechatApiError({ path: request.path, errcode: LOCAL_ERRCODE.network, errmsg: detail, cause: error });
}

function describeCause(error: unknown): string {
  const message = errorField(error, "message") ?? String(error);
  // undici reports "fetch failed" and keeps the useful part (connect ECONNREFUSED…) in `cause`.
  const cause = typeof error === "object" && error !== null ? errorField((error as { cause?: unknown }).cause, "message") : undefined;
  return cause ? `${message}: ${cause}` : message;
}

function errorField(error: unknown, field: "name" | "message"): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const value = (error as Record<string, unknown>)[field];
  return typeof value === "string" ? value : undefined;
}

/** Typed readers for response fields: a missing field is a bad response, not a crash later on. */
export function requireString(body: WechatJson, field: string, path: string): string {
  const value = body[field];
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number") return String(value);
  throw missingField(field, path);
}

export function requireNumber(body: WechatJson, field: string, path: string): number {
  const value = typeof body[field] === "string" ? Number(body[field]) : body[field];
  if (typeof value === "number" && Number.isFinite(value)) return value;
  throw missingField(field, path);
}

function missingField(field: string, path: string): WechatApiError {
  return new WechatApiError({ path, errcode: LOCAL_ERRCODE.badResponse, errmsg: `response lacks "${field}"` });
}
