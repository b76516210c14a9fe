import type { ConsoleActor } from "../../http/console/auth";
import { notFound } from "../../http/errors";
import { closeConversation } from "../conversations/closing";
import { Conversation } from "../conversations/conversation.entity";
import type { ConversationDeps } from "../conversations/deps";
import { agentNames } from "../conversations/views";
import { Fan } from "../fans/fan.entity";
import { loadFanView, presentFan, type FanView } from "./profile";

/**
 * The blacklist: a blacklisted fan is never queued and gets the configured blacklist reply. Putting a fan
 * on it ends their open conversation as refused, with the reason kept for audit.
 */
export async function blacklistFan(deps: ConversationDeps, actor: ConsoleActor, openid: string, reason: string): Promise<FanView> {
  const now = deps.clock.now();
  const result = await deps.dataSource
    .getRepository(Fan)
    .update({ openid }, { blacklisted: true, blacklistReason: reason.trim(), blacklistedAt: now, blacklistedBy: actor.id, updatedAt: now });
  if (!result.affected) throw notFound("粉丝不存在");
  const open = await deps.dataSource.getRepository(Conversation).findOneBy({ openFanOpenid: openid });
  if (open) {
    await closeConversation(deps, actor, open.id, { outcome: "refused", reason: `加入黑名单：${reason.trim()}`, anyAgent: true }).catch((error) => deps.logger.warn({ err: error, conversationId: open.id }, "could not close the blacklisted fan's conversation"));
  }
  deps.logger.info({ openid, agentId: actor.id, reason }, "fan blacklisted");
  return loadFanView(deps, openid);
}

export async function unblacklistFan(deps: ConversationDeps, actor: ConsoleActor, openid: string): Promise<FanView> {
  const result = await deps.dataSource
    .getRepository(Fan)
    .update({ openid }, { blacklisted: false, blacklistReason: null, blacklistedAt: null, blacklistedBy: null, updatedAt: deps.clock.now() });
  if (!result.affected) throw notFound("粉丝不存在");
  deps.logger.info({ openid, agentId: actor.id }, "fan removed from the blacklist");
  return loadFanView(deps, openid);
}

export async function listBlacklist(deps: ConversationDeps) {
  const fans = await deps.dataSource.getRepository(Fan).find({ where: { blacklisted: true }, order: { blacklistedAt: "DESC" }, take: 500 });
  const names = await agentNames(deps.dataSource.manager, fans.map((fan) => fan.blacklistedBy));
  const now = deps.clock.now();
  return fans.map((fan) => presentFan(fan, names, now));
}

