import { createAgentsRouter } from "../../http/console/agents";
import { createLoginRouter } from "../../http/console/login";
import { createMeRouter } from "../../http/console/me";
import { AGENT_SOCKETS_SERVICE, type AgentSockets } from "../../realtime/agentSockets";
import type { ModuleInstaller } from "../module";
import { AgentAdmin } from "./agentAdmin";
import { AGENT_DIRECTORY_SERVICE, AgentDirectory } from "./agentDirectory";
import { agentScanHook } from "./agentScanHook";
import { AgentSettingsService } from "./agentSettings";
import { AgentSignIn } from "./agentSignIn";
import { AGENT_STATUS_SERVICE, AgentStatusService } from "./agentStatus";
import { BindingQrService } from "./bindingQr";
import { LoginQrService } from "./loginQr";

/**
 * Agents: accounts and groups (admin), WeChat-ID binding and QR login (scan hook), password login,
 * sessions, status and settings. Registers AgentStatusService and AgentDirectory for later modules.
 */
export const installAgents: ModuleInstaller = (context) => {
  const { dataSource, clock, kv, wechat, sessions } = context;
  const logger = context.logger.child({ component: "agents" });
  // Read at call time: realtime may be installed (and replace the publisher) in any order before use.
  const realtime = () => context.realtime;
  const sockets = () => (context.services.get(AGENT_SOCKETS_SERVICE) as AgentSockets | undefined) ?? null;

  const status = new AgentStatusService({ dataSource, clock, logger, realtime });
  const directory = new AgentDirectory(dataSource, sockets);
  const binding = new BindingQrService({ kv, wechat, dataSource, clock, realtime });
  const login = new LoginQrService({ kv, wechat, dataSource, clock, realtime });
  const signIn = new AgentSignIn({ dataSource, kv, sessions, status, sockets });
  const admin = new AgentAdmin({ dataSource, clock, sessions, status, binding, sockets });
  const settings = new AgentSettingsService({ dataSource, clock, status });

  context.services.set(AGENT_STATUS_SERVICE, status);
  context.services.set(AGENT_DIRECTORY_SERVICE, directory);
  context.inbox.addReplyHook(agentScanHook({ kv, binding, login }));
  // Closed the console without logging out: after the grace period, offline (which releases conversations).
  sockets()?.onAgentGone(async (agentId) => {
    const agent = await directory.getAgent(agentId);
    if (agent && agent.status !== "offline") await status.setStatus(agentId, "offline", "disconnected");
  });

  const groupName = (groupId: string | null) => directory.groupName(groupId);
  return {
    name: "agents",
    routers: [
      createLoginRouter({
        dataSource,
        sessions,
        kv,
        login,
        signIn,
        groupName,
        secureCookies: context.config.publicUrl.startsWith("https:"),
      }),
      createMeRouter({ dataSource, sessions, status, settings, groupName }),
      createAgentsRouter({ dataSource, sessions, admin, binding }),
    ],
  };
};
