import type { KeyValueStore } from "../../infra/kv/keyValueStore";
import type { Clock } from "../../infra/clock";
import { systemClock } from "../../infra/clock";
import type { Logger } from "../../infra/logger";
import { LOCAL_ERRCODE, WechatApiError } from "./errors";
import { readWechatJson, requireNumber, requireString, sendWechatRequest } from "./http";
import { SharedCredential } from "./sharedCredential";

const TOKEN_PATH = "/cgi-bin/token";

export interface AccessTokenProviderOptions {
  kv: KeyValueStore;
  apiBase: string;
  appId: string;
  appSecret: string;
  logger: Logger;
  clock?: Clock;
  fetchImpl?: typeof fetch;
  /** Token request timeout; kept below the 10 s refresh lock so a slow call cannot outlive it. */
  timeoutMs?: number;
}

/**
 * The account's one access_token, shared by every instance through the key-value store
 * (key `wechat:access-token:<appId>`, JSON {token, expiresAt, refreshAt}). See SharedCredential
 * for why there must be exactly one and how its refresh is serialised.
 */
export class AccessTokenProvider {
  readonly kv: KeyValueStore;
  readonly clock: Clock;
  readonly logger: Logger;
  private readonly credential: SharedCredential;

  constructor(private readonly options: AccessTokenProviderOptions) {
    this.kv = options.kv;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
    this.credential = new SharedCredential({
      kv: options.kv,
      cacheKey: `wechat:access-token:${options.appId}`,
      lockKey: `wechat:access-token-lock:${options.appId}`,
      field: "token",
      path: TOKEN_PATH,
      clock: this.clock,
      logger: this.logger,
      fetchFresh: () => this.fetchToken(),
    });
  }

  /** A token valid for at least a few more minutes. */
  get(): Promise<string> {
    return this.credential.get();
  }

  /** Reports a token WeChat rejected (40001/40014/42001); the next get() fetches a new one unless someone already did. */
  invalidate(token: string): Promise<boolean> {
    return this.credential.invalidate(token);
  }

  private async fetchToken(): Promise<{ value: string; expiresInSeconds: number }> {
    const { apiBase, appId, appSecret } = this.options;
    const query = new URLSearchParams({ grant_type: "client_credential", appid: appId, secret: appSecret });
    const request = {
      method: "GET" as const,
      url: `${apiBase}${TOKEN_PATH}?${query}`,
      path: TOKEN_PATH,
      timeoutMs: this.options.timeoutMs ?? 8_000,
    };
    const response = await sendWechatRequest(this.options.fetchImpl ?? fetch, request);
    const body = await readWechatJson(response, request);
    const value = requireString(body, "access_token", TOKEN_PATH);
    const expiresInSeconds = requireNumber(body, "expires_in", TOKEN_PATH);
    if (expiresInSeconds <= 0) {
      throw new WechatApiError({ path: TOKEN_PATH, errcode: LOCAL_ERRCODE.badResponse, errmsg: `expires_in ${expiresInSeconds}` });
    }
    return { value, expiresInSeconds };
  }
}
