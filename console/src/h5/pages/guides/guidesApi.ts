import type { FeeStandardView, GuideView, OutletView } from "../../../api/guides";
import { fanGet } from "../../api";

/** Shapes of the public fan guides API (docs/api/guides.md): the staff API's shapes (type-only import) as fans see them. Money in fen. */

export type GuideSummary = Pick<GuideView, "id" | "title" | "category" | "summary">;

export type Guide = GuideSummary & Pick<GuideView, "steps" | "body" | "updatedAt">;

export type FeeStandard = Pick<FeeStandardView, "id" | "name" | "description" | "period" | "tiers" | "notes" | "billingTariff" | "updatedAt">;

export type Outlet = Omit<OutletView, "position" | "updatedAt"> & {
  /** Null when the fan's position is unknown. */
  distanceMeters: number | null;
};

export const guidesApi = {
  list: (category?: string) => fanGet<{ categories: string[]; guides: GuideSummary[] }>("/guides", { category }),
  get: async (id: string) => (await fanGet<{ guide: Guide }>(`/guides/${encodeURIComponent(id)}`)).guide,
  fees: async () => (await fanGet<{ standards: FeeStandard[] }>("/fees")).standards,
  outlets: (near: { latitude: number; longitude: number } | null) =>
    fanGet<{ located: boolean; outlets: Outlet[] }>("/outlets", near ? { lat: near.latitude, lng: near.longitude } : undefined),
};

/** "850 米" / "1.2 公里" */
export function distanceLabel(meters: number): string {
  return meters < 1000 ? `${meters} 米` : `${(meters / 1000).toFixed(1)} 公里`;
}
