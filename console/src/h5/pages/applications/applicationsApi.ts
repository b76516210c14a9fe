import type { ApplicationDetail as StaffApplicationDetail, ApplicationSummary as StaffApplicationSummary, ApplicationTimelineRow, ApplicationType } from "../../../api/applications";
import { fanGet, fanPost } from "../../api";

/**
 * Shapes of the fan applications API (docs/api/applications.md): the staff API's shapes (one definition,
 * type-only import, nothing of the console's runtime) narrowed to what a fan sees.
 */
export type { ApplicationStatus, ApplicationType, UploadView } from "../../../api/applications";

export const APPLICATION_TYPES: { type: ApplicationType; label: string; description: string }[] = [
  { type: "new_account", label: "个人开户", description: "新房或新装水表，办理用水户号" },
  { type: "account_change", label: "户改/过户", description: "户主变更、房屋买卖过户" },
  { type: "meter_check", label: "水表校验", description: "怀疑水表计量不准，申请上门校验（服务费 25 元）" },
];

export type ApplicationSummary = Omit<StaffApplicationSummary, "updatedAt">;

export interface ApplicationDetail
  extends ApplicationSummary,
    Pick<StaffApplicationDetail, "idNumber" | "address" | "detailAddress" | "phone" | "remark" | "rejectReason" | "paidAt"> {
  /** Where to pay the fee while it is unpaid. */
  payUrl: string | null;
  timeline: Pick<ApplicationTimelineRow, "status" | "statusLabel" | "actor" | "note" | "at">[];
}

export interface ApplicationInput {
  type: ApplicationType;
  ownerName: string;
  customerNumber: string | null;
  idNumber: string;
  idFrontUploadId: string;
  idBackUploadId: string;
  area: string;
  address: string;
  detailAddress: string;
  phone: string;
  smsCode: string;
  remark: string | null;
}

export const applicationsApi = {
  list: async () => (await fanGet<{ applications: ApplicationSummary[] }>("/applications")).applications,
  get: async (id: string) => (await fanGet<{ application: ApplicationDetail }>(`/applications/${encodeURIComponent(id)}`)).application,
  submit: async (input: ApplicationInput) => (await fanPost<{ application: ApplicationDetail }>("/applications", input)).application,
};
