import { createConversationsRouter } from "../../http/console/conversations";
import { createHistoryRouter } from "../../http/console/history";
import { createKeywordsRouter } from "../../http/console/keywords";
import { createLeaveMessagesRouter } from "../../http/console/leave-messages";
import { createMediaRouter } from "../../http/console/media";
import { createSettingsRouter } from "../../http/console/settings";
import { createRatingRouter } from "../../http/fan/rating";
import { AGENT_STATUS_SERVICE, AgentStatusService, type OfflineReason } from "../agents/agentStatus";
import type { ModuleInstaller, ServerContext } from "../module";
import { releaseAgentConversations, requeueAgentConversations, type ReleaseReason } from "./commands";
import { depsFromContext, type ConversationDeps } from "./deps";
import { conversationReplyHook } from "./inboundRouter";
import { ConversationJobs } from "./jobs";
import { deliveryFailureListener } from "./replies";

/** Where the conversations module registers its service in ServerContext.services. */
export const CONVERSATIONS_SERVICE = "conversations";

export interface ConversationsService {
  deps: ConversationDeps;
  jobs: ConversationJobs;
  /** Releases (expires) an agent's active conversations: they must be re-accepted. */
  releaseAgentConversations(agentId: string, reason?: ReleaseReason): Promise<number>;
}

export function conversationsService(context: ServerContext): ConversationsService {
  const service = context.services.get(CONVERSATIONS_SERVICE) as ConversationsService | undefined;
  if (!service) throw new Error("the conversations module must be installed before modules that use it");
  return service;
}

const RELEASE_REASON: Record<OfflineReason, ReleaseReason> = {
  status: "agent_offline",
  logout: "agent_logout",
  disconnected: "agent_disconnected",
  deleted: "agent_offline",
};

/**
 * Human service: routes fans' messages (reply hook), the queue and its commands, agent replies, timers
 * and automatic assignment (jobs), delivery failures (outbox listener), ratings, leave-messages,
 * keywords, history and the conversation settings. Needs the agents module installed first.
 */
export const installConversations: ModuleInstaller = (context) => {
  let jobs: ConversationJobs | null = null;
  const deps = depsFromContext(context, () => jobs?.kick());
  jobs = new ConversationJobs(deps);

  // After the acknowledgement (the queue and its writes are slow work); its text answers go out as customer-service messages.
  context.inbox.addRouter(conversationReplyHook(deps));
  context.dispatcher.onSettled(deliveryFailureListener(deps));

  const service: ConversationsService = {
    deps,
    jobs,
    releaseAgentConversations: (agentId, reason = "agent_offline") => releaseAgentConversations(deps, agentId, reason),
  };
  context.services.set(CONVERSATIONS_SERVICE, service);

  // Going offline or logging out releases the agent's conversations; a deleted agent's go back to the queue.
  const status = context.services.get(AGENT_STATUS_SERVICE);
  if (status instanceof AgentStatusService) {
    status.onAgentOffline(async (agentId, reason) => {
      if (reason === "deleted") await requeueAgentConversations(deps, agentId);
      else await releaseAgentConversations(deps, agentId, RELEASE_REASON[reason]);
    });
    status.onAgentAvailable(async () => jobs?.kick());
  } else {
    deps.logger.warn("agents module not installed before conversations: going offline will not release conversations");
  }

  const routed = { ...deps, sessions: context.sessions };
  return {
    name: "conversations",
    routers: [
      createConversationsRouter(routed),
      createHistoryRouter(routed),
      createLeaveMessagesRouter(routed),
      createKeywordsRouter(routed),
      createSettingsRouter(routed),
      createMediaRouter({ ...routed, wechat: context.wechat }),
      createRatingRouter(deps),
    ],
    start: () => jobs!.start(),
    stop: () => jobs!.stop(),
  };
};
