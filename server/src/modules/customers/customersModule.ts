import { createCustomersRouter } from "../../http/console/customers";
import { conversationsService } from "../conversations/conversationsModule";
import type { ModuleInstaller } from "../module";
import { FanNicknames } from "./fanNicknames";
import { fanTrailHook } from "./fanTrail";

/**
 * Customer profiles, the blacklist, the fan trail (events → trail rows) and fans' nicknames (fetched from
 * WeChat in the background). Installed after conversations: its routers run after the conversation router.
 */
export const installCustomers: ModuleInstaller = (context) => {
  const { deps } = conversationsService(context);
  const nicknames = new FanNicknames({ ...deps, wechat: context.wechat });
  context.inbox.addRouter(fanTrailHook({ dataSource: context.dataSource, logger: deps.logger }));
  context.inbox.addRouter(nicknames.router());
  return {
    name: "customers",
    routers: [createCustomersRouter({ ...deps, sessions: context.sessions })],
    // The inbox has stopped routing by now; lookups under way finish while the database is still open.
    stop: () => nicknames.idle(),
  };
};
