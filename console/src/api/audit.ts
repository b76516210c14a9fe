import { ApiClient, API_ROOT } from "./ApiClient";

export interface AuditEntryView {
  id: string;
  actorType: "fan" | "agent" | "system";
  actorId: string;
  /** The staff member's name for agent entries. */
  actorName: string | null;
  action: string;
  customerNumber: string | null;
  detail: Record<string, unknown> | null;
  ip: string | null;
  at: string;
}

export interface AuditFilter {
  actor?: string;
  account?: string;
  action?: string;
  from?: string;
  to?: string;
  before?: string;
  limit?: number;
}

/** Admin: the audit log (server/src/modules/audit/auditRouter.ts), newest first, paged by `before`. */
export class AuditApi extends ApiClient {
  constructor() {
    super(`${API_ROOT}/audit`);
  }

  search(filter: AuditFilter): Promise<{ entries: AuditEntryView[]; nextBefore: string | null }> {
    return this.get("/", { ...filter });
  }
}

export const auditApi = new AuditApi();
