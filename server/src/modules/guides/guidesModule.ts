import { createGuidesConsoleRouter } from "../../http/console/guides";
import { createFanGuidesRouter } from "../../http/fan/guides";
import type { ModuleInstaller } from "../module";
import { WATER_SERVICE, type WaterService } from "../water/waterModule";
import type { GuidesDeps } from "./guides";

/**
 * Guides: business process guides, fee standards (tier tables) and service outlets — admin CRUD in the
 * console, public reads for fans (outlets by distance), and the JS-SDK configuration the H5 pages need
 * for location and the map. Installed after water (it reuses the fan sessions).
 */
export const installGuides: ModuleInstaller = (context) => {
  const water = context.services.get(WATER_SERVICE) as WaterService | undefined;
  if (!water) throw new Error("the water module must be installed before guides");
  const deps: GuidesDeps = { dataSource: context.dataSource, clock: context.clock, builtinBilling: !context.config.billing.apiBase };
  return {
    name: "guides",
    routers: [
      createGuidesConsoleRouter({ ...deps, sessions: context.sessions }),
      createFanGuidesRouter({ ...deps, publicUrl: context.config.publicUrl, wechat: context.wechat, fanSessions: water.deps.fanSessions }),
    ],
  };
};
