import { IsNull } from "typeorm";
import { isAtLeast, type ConsoleActor } from "../../http/console/auth";
import { conflict, forbidden } from "../../http/errors";
import { transcriptOf } from "../conversations/closing";
import { findConversation } from "../conversations/commands";
import { Conversation } from "../conversations/conversation.entity";
import { withTransaction } from "../conversations/db";
import type { ComplaintCategory } from "./complaint.entity";
import { createComplaint } from "./complaints";
import type { ComplaintDeps } from "./deps";

/**
 * An agent turns a conversation into a complaint ticket without closing it (the close-as-unresolved path
 * does the same on closing): the transcript so far is attached. The agent serving it (or who served it)
 * may; anyone else needs to be a supervisor. One ticket per conversation.
 */
export async function complaintFromConversation(
  deps: ComplaintDeps,
  actor: ConsoleActor,
  conversationId: string,
  input: { category: ComplaintCategory; title: string | null; content: string | null },
) {
  return withTransaction(deps.dataSource, async (manager) => {
    const conversation = await findConversation(manager, conversationId);
    const own = conversation.agentId === actor.id && conversation.status !== "waiting";
    if (!own && !isAtLeast(actor, "supervisor")) throw forbidden("只能将自己接待的会话转为投诉工单");
    if (conversation.complaintId) throw conflict("complaint_exists", "该会话已转为投诉工单");
    const now = deps.clock.now();
    const complaint = await createComplaint(
      manager,
      {
        fanOpenid: conversation.fanOpenid,
        source: "conversation",
        conversationId: conversation.id,
        category: input.category,
        title: input.title ?? `客服会话转${input.category === "suggestion" ? "建议" : "投诉"}（${now.toISOString().slice(0, 10)}）`,
        content: input.content ?? "由客服会话转为工单，详见会话记录。",
        transcript: await transcriptOf(manager, conversation),
        filedBy: { type: "agent", id: actor.id, name: actor.name },
      },
      deps.clock,
    );
    // Bumps the version so a close racing this (as unresolved) cannot file a second ticket over it.
    const linked = await manager.getRepository(Conversation).update({ id: conversation.id, complaintId: IsNull() }, { complaintId: complaint.id, version: () => "version + 1" });
    if (!linked.affected) throw conflict("complaint_exists", "该会话已转为投诉工单");
    return complaint;
  });
}
