import { createConsoleNoticesRouter } from "../../http/console/notices";
import { createFanNoticesRouter } from "../../http/fan/notices";
import type { ModuleInstaller } from "../module";
import type { NoticesDeps } from "./deps";
import { SANDBOX_OUTAGE_TEMPLATE_ID } from "./outageNotification";

/** Where the notices module registers its deps in ServerContext.services (tests reach in through it). */
export const NOTICES_SERVICE = "notices";

/**
 * Notices: outages (planned / emergency) with affected areas, quality and pressure bulletins, repair live
 * timelines and company news; public fan lists, detail and outage search; admin editing with publish
 * windows; emergency outages notify subscribed fans in the affected areas through the outbox.
 */
export const installNotices: ModuleInstaller = (context) => {
  const deps: NoticesDeps = {
    dataSource: context.dataSource,
    clock: context.clock,
    settings: context.settings,
    logger: context.logger.child({ component: "notices" }),
    publicUrl: context.config.publicUrl,
    sessions: context.sessions,
    // The sandbox's fake WeChat accepts any template id: a demo one lets an emergency outage show up there.
    fallbackOutageTemplateId: context.sandbox ? SANDBOX_OUTAGE_TEMPLATE_ID : null,
    wakeOutbox: () => context.dispatcher.wake(),
  };
  context.services.set(NOTICES_SERVICE, deps);
  return { name: "notices", routers: [createConsoleNoticesRouter(deps), createFanNoticesRouter(deps)] };
};
