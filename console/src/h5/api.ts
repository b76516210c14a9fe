import { ApiClient, setUnauthorizedHandler, type Query } from "../api/ApiClient";
import { ApiError } from "../api/ApiError";

/**
 * The fan API as the H5 pages call it: same-origin JSON with the http-only fan session cookie
 * (set by the web OAuth callback), the server's error shape as FanApiError with a zh-CN message
 * fit to show in a toast. A 401 means there is no fan session yet (first visit, or it expired):
 * the page goes through web OAuth and comes back to the same hash route.
 */
export { ApiError as FanApiError, errorMessage } from "../api/ApiError";

export function oauthStartUrl(next: string = `/h5/${location.hash}`): string {
  return `/api/fan/oauth/start?next=${encodeURIComponent(next)}`;
}

setUnauthorizedHandler(() => {
  location.replace(oauthStartUrl());
});

class FanApi extends ApiClient {
  constructor() {
    super("/api/fan");
  }

  fanGet<T>(path: string, query?: Query): Promise<T> {
    return this.get<T>(path, query);
  }

  fanPost<T>(path: string, body?: unknown): Promise<T> {
    return this.post<T>(path, body);
  }

  fanPut<T>(path: string, body?: unknown): Promise<T> {
    return this.put<T>(path, body);
  }

  fanDelete<T>(path: string, query?: Query): Promise<T> {
    return this.delete<T>(path, query);
  }
}

const api = new FanApi();

/** GET /api/fan<path>. */
export const fanGet = <T>(path: string, query?: Query): Promise<T> => api.fanGet<T>(path, query);
/** POST /api/fan<path> with a JSON body. */
export const fanPost = <T>(path: string, body?: unknown): Promise<T> => api.fanPost<T>(path, body);
/** PUT /api/fan<path> with a JSON body. */
export const fanPut = <T>(path: string, body?: unknown): Promise<T> => api.fanPut<T>(path, body);
/** DELETE /api/fan<path>. */
export const fanDelete = <T>(path: string, query?: Query): Promise<T> => api.fanDelete<T>(path, query);

/** True for an error the page should show as "nothing here" rather than as a failure. */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}
