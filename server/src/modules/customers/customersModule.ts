import { createCustomersRouter } from "../../http/console/customers";
import { conversationsService } from "../conversations/conversationsModule";
import type { ModuleInstaller } from "../module";
import { fanTrailHook } from "./fanTrail";

/** Customer profiles, the blacklist and the fan trail (events → trail rows). Installed after conversations. */
export const installCustomers: ModuleInstaller = (context) => {
  const { deps } = conversationsService(context);
  context.inbox.addRouter(fanTrailHook({ dataSource: context.dataSource, logger: deps.logger }));
  return { name: "customers", routers: [createCustomersRouter({ ...deps, sessions: context.sessions })] };
};
