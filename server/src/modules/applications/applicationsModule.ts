import { createConsoleApplicationsRouter } from "../../http/console/applications";
import { createConsoleUploadsRouter } from "../../http/console/uploads";
import { createFanApplicationsRouter } from "../../http/fan/applications";
import { createFanUploadsRouter } from "../../http/fan/uploads";
import type { ModuleInstaller } from "../module";
import { WATER_SERVICE, type WaterService } from "../water/waterModule";
import { APPLICATION_FEES_SERVICE, createApplicationFees } from "./applicationFees";
import type { ApplicationDeps } from "./deps";
import { FanUploads } from "./fanUploads";

/** Where the fan upload store is registered (the complaints module attaches photos and voice notes with it). */
export const FAN_UPLOADS_SERVICE = "fan.uploads";
export const APPLICATIONS_SERVICE = "applications";
/** The sandbox's demo template id for status notices (used while the setting is empty). */
export const SANDBOX_APPLICATION_TEMPLATE_ID = "tmpl_sandbox_application_status";

export interface ApplicationsService {
  deps: ApplicationDeps;
}

/**
 * Business applications (个人开户, 户改/过户, 水表校验) and fans' H5 uploads. Installed after water: it uses
 * the water module's SMS verification and fan sessions. Registers the fee contract for the payments module.
 */
export const installApplications: ModuleInstaller = (context) => {
  const water = context.services.get(WATER_SERVICE) as WaterService | undefined;
  if (!water) throw new Error("the applications module needs the water module installed first (SMS verification, fan sessions)");
  const uploads = new FanUploads(context.dataSource, context.kv, context.clock);
  const deps: ApplicationDeps = {
    dataSource: context.dataSource,
    clock: context.clock,
    settings: context.settings,
    logger: context.logger.child({ component: "applications" }),
    publicUrl: context.config.publicUrl,
    sms: water.deps.sms,
    uploads,
    fanSessions: water.deps.fanSessions,
    consoleSessions: context.sessions,
    wakeOutbox: () => context.dispatcher.wake(),
    fallbackTemplateId: context.sandbox ? SANDBOX_APPLICATION_TEMPLATE_ID : null,
  };
  context.services.set(FAN_UPLOADS_SERVICE, uploads);
  context.services.set(APPLICATION_FEES_SERVICE, createApplicationFees(deps));
  context.services.set(APPLICATIONS_SERVICE, { deps } satisfies ApplicationsService);
  return {
    name: "applications",
    routers: [
      createFanUploadsRouter({ fanSessions: deps.fanSessions, uploads }),
      createConsoleUploadsRouter({ dataSource: context.dataSource, sessions: context.sessions, uploads }),
      createFanApplicationsRouter(deps),
      createConsoleApplicationsRouter(deps),
    ],
  };
};
