/**
 * Errors from the WeChat API, and the one rule deciding whether retrying later can help.
 * WeChat answers failures as HTTP 200 with {errcode, errmsg}; failures that never reach WeChat
 * (network, timeout, a broken gateway) get negative codes of ours so callers handle one shape.
 */

/** Our own codes for failures WeChat never answered. WeChat itself only uses -1 (system busy). */
export const LOCAL_ERRCODE = {
  /** Connection refused/reset, DNS failure or timeout; `cause` holds the original error. */
  network: -2,
  /** HTTP 5xx from WeChat or a proxy in front of it; `httpStatus` says which. */
  httpStatus: -3,
  /** A response we cannot use: HTTP 4xx, a body that is not JSON, or a required field missing. */
  badResponse: -4,
  /** Another instance held the refresh lock and no fresh credential appeared in time. */
  refreshWait: -5,
} as const;

/** Codes meaning "this access token is not (or no longer) valid": refresh and retry once. */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);

const TRANSIENT_ERRCODES: ReadonlySet<number> = new Set([
  -1, // system busy
  LOCAL_ERRCODE.network,
  LOCAL_ERRCODE.httpStatus,
  LOCAL_ERRCODE.refreshWait,
  45009, // daily API quota: only helps the next day (or after clear_quota), so back off long
  45011, // calling too often
  // The client already refreshed and retried once; a token error that persists is another
  // instance racing us or WeChat's own propagation delay, which clears up.
  ...TOKEN_ERRCODES,
]);

/**
 * True when the same request may succeed later. Everything else (45015 window closed, 45047 quota,
 * 40003 bad openid, 43004 not following, 43101 refused, 40037 template, 47003 data, 48001 unauthorized,
 * 40016… menu errors) fails again until someone changes the request or the account.
 */
export function isTransient(errcode: number): boolean {
  return TRANSIENT_ERRCODES.has(errcode);
}

export class WechatApiError extends Error {
  readonly errcode: number;
  readonly errmsg: string;
  readonly retryable: boolean;
  /** The API path, e.g. /cgi-bin/message/custom/send (never the full URL: it may carry the secret). */
  readonly path: string;
  readonly httpStatus?: number;

  constructor(init: { path: string; errcode: number; errmsg: string; httpStatus?: number; cause?: unknown }) {
    const status = init.httpStatus === undefined ? "" : ` (HTTP ${init.httpStatus})`;
    super(`WeChat API ${init.path} failed: errcode ${init.errcode} ${init.errmsg}${status}`, { cause: init.cause });
    this.name = "WechatApiError";
    this.path = init.path;
    this.errcode = init.errcode;
    this.errmsg = init.errmsg;
    this.httpStatus = init.httpStatus;
    this.retryable = isTransient(init.errcode);
  }
}
