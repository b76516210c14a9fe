import { ApiClient, API_ROOT } from "./ApiClient";

export type ApplicationType = "new_account" | "account_change" | "meter_check";
export type ApplicationStatus = "awaiting_payment" | "submitted" | "accepted" | "processing" | "done" | "rejected";
export type ApplicationTarget = "accepted" | "processing" | "done" | "rejected";

export interface ApplicationSummary {
  id: string;
  number: string;
  type: ApplicationType;
  typeLabel: string;
  status: ApplicationStatus;
  statusLabel: string;
  ownerName: string;
  customerNumber: string | null;
  area: string;
  feeFen: number;
  paid: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface UploadView {
  id: string;
  kind: "image" | "voice";
  contentType: string;
  size: number;
  url: string;
}

export interface ApplicationTimelineRow {
  status: ApplicationStatus;
  statusLabel: string;
  fromStatus: ApplicationStatus | null;
  actor: string;
  actorType: "fan" | "agent" | "system";
  note: string | null;
  at: string;
}

export interface ApplicationDetail extends ApplicationSummary {
  fanOpenid: string;
  /** Full for supervisors and admins; masked for agents. */
  idNumber: string;
  idFront: UploadView | null;
  idBack: UploadView | null;
  address: string;
  detailAddress: string;
  phone: string;
  remark: string | null;
  rejectReason: string | null;
  paidAt: string | null;
  paymentOrderId: string | null;
  handlerId: string | null;
  canHandle: boolean;
  nextStatuses: ApplicationTarget[];
  timeline: ApplicationTimelineRow[];
}

export interface ApplicationFilter {
  type?: ApplicationType;
  status?: ApplicationStatus;
  from?: string;
  to?: string;
  before?: string;
  limit?: number;
}

/** 业务申请 (server/src/http/console/applications.ts): agents read, supervisors and admins handle. */
export class ApplicationsApi extends ApiClient {
  constructor() {
    super(`${API_ROOT}/applications`);
  }

  list(filter: ApplicationFilter): Promise<{ applications: ApplicationSummary[]; nextBefore: string | null }> {
    return this.get("", { ...filter });
  }

  async detail(id: string): Promise<ApplicationDetail> {
    return (await this.get<{ application: ApplicationDetail }>(`/${id}`)).application;
  }

  async transition(id: string, status: ApplicationTarget, note: string | null): Promise<ApplicationDetail> {
    return (await this.post<{ application: ApplicationDetail }>(`/${id}/status`, { status, note })).application;
  }
}

export const applicationsApi = new ApplicationsApi();
