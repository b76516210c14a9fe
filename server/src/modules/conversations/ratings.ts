import { randomBytes } from "node:crypto";
import { IsNull, Not, type EntityManager } from "typeorm";
import { addTrail } from "../customers/fanTrail";
import { FanTrail } from "../customers/fanTrail.entity";
import { Conversation } from "./conversation.entity";
import { loadConversationSettings, fillTemplate } from "./conversationSettings";
import { withTransaction } from "./db";
import { Pushes, type ConversationDeps } from "./deps";
import { recordEvent, sendInConversation } from "./journal";
import { isRatingOpen, RATING_LINK_WINDOW_MS, RATING_REPLY_WINDOW_MS } from "./rules";
import { loadConversationView } from "./views";

/**
 * Ratings: the request (on a resolved close, or any time by the agent: 索要评分) carries a 1–5 reply
 * instruction and a link PUBLIC_URL/rate/<token>; the fan answers by replying a digit or on the page.
 */

export function newRatingToken(): string {
  return randomBytes(24).toString("base64url");
}

export function ratingLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/rate/${token}`;
}

/** Sends the rating request in the caller's transaction; the conversation must already carry its token. */
export async function sendRatingRequest(
  deps: ConversationDeps,
  manager: EntityManager,
  conversation: Pick<Conversation, "id" | "fanOpenid">,
  token: string,
  agentId: string | null,
): Promise<void> {
  const settings = await loadConversationSettings(deps.settings);
  const text = fillTemplate(settings.ratingRequestText, { link: ratingLink(deps.publicUrl, token) });
  await sendInConversation(manager, deps.clock, conversation, { type: "text", text }, { agentId, auto: "rating" });
}

export type RatingResult = "recorded" | "already_rated" | "closed";

/**
 * Records a score once (a conditional update on `rating IS NULL`). `trailId` makes a reply's trail entry
 * carry the inbound message id, so the inbox sweep re-running the same message finds it handled.
 */
export async function recordRating(
  deps: ConversationDeps,
  conversation: Conversation,
  score: number,
  via: "reply" | "link",
  trailId?: string,
): Promise<RatingResult> {
  const now = deps.clock.now();
  const windowMs = via === "reply" ? RATING_REPLY_WINDOW_MS : RATING_LINK_WINDOW_MS;
  if (conversation.rating !== null) return "already_rated";
  if (!isRatingOpen(conversation, now, windowMs)) return "closed";
  const recorded = await withTransaction(deps.dataSource, async (manager) => {
    const result = await manager
      .getRepository(Conversation)
      .update({ id: conversation.id, rating: IsNull(), ratingRequestedAt: Not(IsNull()) }, { rating: score, ratedAt: now, version: () => "version + 1", updatedAt: now });
    if (!result.affected) return false;
    await recordEvent(manager, deps.clock, { conversationId: conversation.id, type: "rated", detail: { score, via } });
    await addTrail(manager, deps.clock, { id: trailId, openid: conversation.fanOpenid, kind: "rating", detail: { conversationId: conversation.id, score, via } });
    return true;
  });
  if (!recorded) return "already_rated";
  const settings = await loadConversationSettings(deps.settings);
  const view = () => loadConversationView(deps.dataSource.manager, conversation.id, now, settings.timers);
  await new Pushes().toAgent(conversation.agentId, "conversation:updated", view).toSupervisors("conversation:updated", view).flush(deps.realtime, deps.logger);
  return "recorded";
}

/**
 * A fan's reply of 1–5: rates the fan's latest conversation with an open rating request (24 hours).
 * "handled" when this very message was recorded before (the sweep running it again).
 */
export async function rateByReply(deps: ConversationDeps, openid: string, score: number, inboundId: string): Promise<"recorded" | "handled" | "none"> {
  if (await deps.dataSource.getRepository(FanTrail).existsBy({ id: inboundId })) return "handled";
  const candidate = await deps.dataSource.getRepository(Conversation).findOne({
    where: { fanOpenid: openid, ratingRequestedAt: Not(IsNull()), rating: IsNull() },
    order: { ratingRequestedAt: "DESC" },
  });
  if (!candidate) return "none";
  return (await recordRating(deps, candidate, score, "reply", inboundId)) === "recorded" ? "recorded" : "none";
}

/** What the public rating page shows for a token. */
export async function ratingPageState(deps: ConversationDeps, token: string) {
  const conversation = await deps.dataSource.getRepository(Conversation).findOneBy({ ratingToken: token });
  if (!conversation) return null;
  const open = isRatingOpen(conversation, deps.clock.now(), RATING_LINK_WINDOW_MS);
  return { conversation, rated: conversation.rating !== null, rating: conversation.rating, open };
}
