import { ApiClient, API_ROOT } from "./ApiClient";
import type { CustomerProfile, FanView } from "./types";

export interface CustomerChanges {
  remark?: string | null;
  tags?: string[];
  notes?: string | null;
}

/** The customer profile beside the chat, and the blacklist (server/src/http/console/customers.ts). */
export class CustomersApi extends ApiClient {
  constructor() {
    super(API_ROOT);
  }

  profile(openid: string): Promise<CustomerProfile> {
    return this.get(`/customers/${encodeURIComponent(openid)}`);
  }

  async update(openid: string, changes: CustomerChanges): Promise<FanView> {
    return (await this.patch<{ fan: FanView }>(`/customers/${encodeURIComponent(openid)}`, changes)).fan;
  }

  /** Also ends the fan's open conversation as refused. */
  async blacklist(openid: string, reason: string): Promise<FanView> {
    return (await this.post<{ fan: FanView }>(`/customers/${encodeURIComponent(openid)}/blacklist`, { reason })).fan;
  }

  async unblacklist(openid: string): Promise<FanView> {
    return (await this.delete<{ fan: FanView }>(`/customers/${encodeURIComponent(openid)}/blacklist`)).fan;
  }

  async blacklisted(): Promise<FanView[]> {
    return (await this.get<{ fans: FanView[] }>("/blacklist")).fans;
  }
}

export const customersApi = new CustomersApi();
