import { createQuickRepliesRouter } from "../../http/console/quick-replies";
import { conversationsService } from "../conversations/conversationsModule";
import type { ModuleInstaller } from "../module";

/** Quick replies (personal and team). Installed after conversations. */
export const installQuickReplies: ModuleInstaller = (context) => {
  const { deps } = conversationsService(context);
  return { name: "quick-replies", routers: [createQuickRepliesRouter({ ...deps, sessions: context.sessions })] };
};
