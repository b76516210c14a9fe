import { fanGet } from "../../api";

/** Shapes of the public fan guides API (docs/api/guides.md). Money in fen. */

export interface GuideSummary {
  id: string;
  title: string;
  category: string;
  summary: string;
}

export interface Guide extends GuideSummary {
  steps: string[];
  body: string;
  updatedAt: string;
}

export interface FeeStandard {
  id: string;
  name: string;
  description: string;
  period: "month" | "year";
  tiers: { tier: number; label: string; lowerM3: number; upperM3: number | null; unitPriceFen: number }[];
  notes: string;
  billingTariff: boolean;
  updatedAt: string;
}

export interface Outlet {
  id: string;
  name: string;
  address: string;
  hours: string;
  phone: string;
  services: string;
  latitude: number;
  longitude: number;
  /** Null when the fan's position is unknown. */
  distanceMeters: number | null;
}

export const guidesApi = {
  list: (category?: string) => fanGet<{ categories: string[]; guides: GuideSummary[] }>("/guides", { category }),
  get: async (id: string) => (await fanGet<{ guide: Guide }>(`/guides/${encodeURIComponent(id)}`)).guide,
  fees: async () => (await fanGet<{ standards: FeeStandard[] }>("/fees")).standards,
  outlets: (near: { latitude: number; longitude: number } | null) =>
    fanGet<{ located: boolean; outlets: Outlet[] }>("/outlets", near ? { lat: near.latitude, lng: near.longitude } : undefined),
};

/** "¥3.45" */
export function yuan(fen: number): string {
  return `¥${(fen / 100).toFixed(2)}`;
}

/** "850 米" / "1.2 公里" */
export function distanceLabel(meters: number): string {
  return meters < 1000 ? `${meters} 米` : `${(meters / 1000).toFixed(1)} 公里`;
}
