import { ApiClient, API_ROOT } from "./ApiClient";
import type { AgentStatus, MeView, MySettings } from "./types";

/** The signed-in agent: who am I, my status, my settings (server/src/http/console/me.ts). */
export class MeApi extends ApiClient {
  constructor() {
    super(`${API_ROOT}/me`);
  }

  /** Without redirecting on 401: the router asks this to learn whether anyone is signed in. */
  probe(): Promise<MeView> {
    return this.get("", undefined, { allowUnauthorized: true });
  }

  setStatus(status: AgentStatus): Promise<MeView> {
    return this.put("/status", { status });
  }

  updateSettings(changes: Partial<MySettings>): Promise<MeView> {
    return this.patch("/settings", changes);
  }
}

export const meApi = new MeApi();
