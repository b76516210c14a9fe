import { createInternalRouter } from "../../http/console/internal";
import { agentDirectory } from "../agents/agentDirectory";
import type { ModuleInstaller } from "../module";
import { InternalChat } from "./internalChat";

/** 内部沟通 between agents. Installed after the agents module (it uses the agent directory). */
export const installInternalChat: ModuleInstaller = (context) => {
  const chat = new InternalChat({
    dataSource: context.dataSource,
    clock: context.clock,
    directory: agentDirectory(context),
    realtime: () => context.realtime,
  });
  return { name: "internal-chat", routers: [createInternalRouter({ dataSource: context.dataSource, sessions: context.sessions, chat })] };
};
