import { createConsoleComplaintsRouter } from "../../http/console/complaints";
import { createFanComplaintsRouter } from "../../http/fan/complaints";
import { FAN_UPLOADS_SERVICE } from "../applications/applicationsModule";
import type { FanUploads } from "../applications/fanUploads";
import { addConversationBypass } from "../conversations/inboundRouter";
import { menuClickRegistry } from "../menus/menuClicks";
import type { ModuleInstaller } from "../module";
import { WATER_SERVICE, type WaterService } from "../water/waterModule";
import { COMPLAINT_MENU_KEY, complaintChatRouter, isComplaintRequest } from "./complaintChat";
import type { ComplaintDeps } from "./deps";

export const COMPLAINTS_SERVICE = "complaints";
/** The sandbox's demo template id for complaint results (used while the setting is empty). */
export const SANDBOX_COMPLAINT_TEMPLATE_ID = "tmpl_sandbox_complaint_result";

/**
 * The complaint center: tickets from H5, the chat menu and conversations; accept → assign → process →
 * reply (template message) → revisit → close, with SLA ages. Installed after applications (fan uploads)
 * and water (fan sessions); 投诉建议 in chat answers with the H5 form and never queues a conversation.
 */
export const installComplaints: ModuleInstaller = (context) => {
  const water = context.services.get(WATER_SERVICE) as WaterService | undefined;
  const uploads = context.services.get(FAN_UPLOADS_SERVICE) as FanUploads | undefined;
  if (!water || !uploads) throw new Error("the complaints module needs the water and applications modules installed first");
  const deps: ComplaintDeps = {
    dataSource: context.dataSource,
    clock: context.clock,
    settings: context.settings,
    logger: context.logger.child({ component: "complaints" }),
    publicUrl: context.config.publicUrl,
    uploads,
    fanSessions: water.deps.fanSessions,
    consoleSessions: context.sessions,
    wakeOutbox: () => context.dispatcher.wake(),
    fallbackTemplateId: context.sandbox ? SANDBOX_COMPLAINT_TEMPLATE_ID : null,
  };
  context.services.set(COMPLAINTS_SERVICE, { deps });
  addConversationBypass(context.services, isComplaintRequest);
  context.inbox.addRouter(complaintChatRouter(context.config.publicUrl));
  menuClickRegistry(context.services).register({ key: COMPLAINT_MENU_KEY, label: "投诉建议（回复投诉表单链接）" });
  return { name: "complaints", routers: [createFanComplaintsRouter(deps), createConsoleComplaintsRouter(deps)] };
};
