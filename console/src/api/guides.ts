import { ApiClient, API_ROOT } from "./ApiClient";

export interface GuideView {
  id: string;
  title: string;
  category: string;
  summary: string;
  steps: string[];
  body: string;
  position: number;
  published: boolean;
  updatedAt: string;
}

export type GuideInput = Omit<GuideView, "id" | "updatedAt">;

export interface FeeTier {
  lowerM3: number;
  upperM3: number | null;
  unitPriceFen: number;
}

export interface FeeStandardView {
  id: string;
  name: string;
  description: string;
  period: "month" | "year";
  tiers: (FeeTier & { tier: number; label: string })[];
  notes: string;
  billingTariff: boolean;
  position: number;
  updatedAt: string;
  /** For the billing tariff standard: whether it equals the built-in billing tables (null: cannot tell). */
  matchesBilling: boolean | null;
}

export interface FeeStandardInput {
  name: string;
  description: string;
  period: "month" | "year";
  tiers: FeeTier[];
  notes: string;
  billingTariff: boolean;
  position: number;
}

export interface OutletView {
  id: string;
  name: string;
  address: string;
  hours: string;
  phone: string;
  services: string;
  latitude: number;
  longitude: number;
  position: number;
  updatedAt: string;
}

export type OutletInput = Omit<OutletView, "id" | "updatedAt">;

/** Guides, fee standards and outlets (server/src/http/console/guides.ts): agents read, admins write. */
export class GuidesApi extends ApiClient {
  constructor() {
    super(API_ROOT);
  }

  async guides(): Promise<GuideView[]> {
    return (await this.get<{ guides: GuideView[] }>("/guides")).guides;
  }
  async saveGuide(id: string | null, input: GuideInput): Promise<GuideView> {
    const body = id ? await this.put<{ guide: GuideView }>(`/guides/${id}`, input) : await this.post<{ guide: GuideView }>("/guides", input);
    return body.guide;
  }
  removeGuide(id: string): Promise<void> {
    return this.delete(`/guides/${id}`);
  }

  feeStandards(): Promise<{ standards: FeeStandardView[]; billingTiers: FeeTier[] | null }> {
    return this.get("/fee-standards");
  }
  async saveFeeStandard(id: string | null, input: FeeStandardInput): Promise<void> {
    if (id) await this.put(`/fee-standards/${id}`, input);
    else await this.post("/fee-standards", input);
  }
  removeFeeStandard(id: string): Promise<void> {
    return this.delete(`/fee-standards/${id}`);
  }

  async outlets(): Promise<OutletView[]> {
    return (await this.get<{ outlets: OutletView[] }>("/outlets")).outlets;
  }
  async saveOutlet(id: string | null, input: OutletInput): Promise<void> {
    if (id) await this.put(`/outlets/${id}`, input);
    else await this.post("/outlets", input);
  }
  removeOutlet(id: string): Promise<void> {
    return this.delete(`/outlets/${id}`);
  }
}

export const guidesApi = new GuidesApi();
