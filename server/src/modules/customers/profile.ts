import type { ConsoleActor } from "../../http/console/auth";
import { notFound } from "../../http/errors";
import { complaintsOfFan, presentComplaint } from "../complaints/complaints";
import { Conversation } from "../conversations/conversation.entity";
import type { ConversationDeps } from "../conversations/deps";
import { conversationsOfFan } from "../conversations/queries";
import { agentNames } from "../conversations/views";
import { Fan } from "../fans/fan.entity";
import { windowRemainingMs } from "../outbox/replyWindow";
import { presentTrail } from "./fanTrail";
import { FanTrail } from "./fanTrail.entity";

/**
 * The customer profile beside the chat: the fan's fields and the agents' remark, tags and notes, bound
 * water accounts (from the water module, when it registers `water.accountsOfFan`), past conversations,
 * complaints and the trail, newest first.
 */

/** What the water module registers in context.services to show a fan's bound accounts (it audits the read). */
export type WaterAccountsOfFan = (openid: string, viewer: { agentId: string; ip: string | null }) => Promise<unknown[]>;
export const WATER_ACCOUNTS_SERVICE = "water.accountsOfFan";

export function presentFan(fan: Fan, names: Map<string, string>, now: Date) {
  return {
    openid: fan.openid,
    nickname: fan.nickname,
    subscribed: fan.subscribed,
    subscribedAt: fan.subscribedAt?.toISOString() ?? null,
    unsubscribedAt: fan.unsubscribedAt?.toISOString() ?? null,
    lastMessageAt: fan.lastMessageAt?.toISOString() ?? null,
    lastInteractionAt: fan.lastInteractionAt?.toISOString() ?? null,
    windowRemainingMs: windowRemainingMs(fan, now),
    remark: fan.remark,
    tags: fan.tags ?? [],
    notes: fan.notes,
    blacklisted: fan.blacklisted,
    blacklistReason: fan.blacklistReason,
    blacklistedAt: fan.blacklistedAt?.toISOString() ?? null,
    blacklistedBy: fan.blacklistedBy,
    blacklistedByName: fan.blacklistedBy ? (names.get(fan.blacklistedBy) ?? null) : null,
    createdAt: fan.createdAt.toISOString(),
  };
}

export type FanView = ReturnType<typeof presentFan>;

export async function loadFanView(deps: ConversationDeps, openid: string): Promise<FanView> {
  const fan = await deps.dataSource.getRepository(Fan).findOneBy({ openid });
  if (!fan) throw notFound("粉丝不存在");
  return presentFan(fan, await agentNames(deps.dataSource.manager, [fan.blacklistedBy]), deps.clock.now());
}

export async function customerProfile(deps: ConversationDeps, actor: ConsoleActor, openid: string, ip: string | null = null) {
  const manager = deps.dataSource.manager;
  const fan = await loadFanView(deps, openid);
  const accountsOf = deps.services.get(WATER_ACCOUNTS_SERVICE) as WaterAccountsOfFan | undefined;
  const trail = await manager.getRepository(FanTrail).find({ where: { openid }, order: { at: "DESC", id: "DESC" }, take: 100 });
  return {
    fan,
    waterAccounts: accountsOf ? await accountsOf(openid, { agentId: actor.id, ip }) : [],
    conversations: await conversationsOfFan(manager, openid),
    conversationCount: await manager.getRepository(Conversation).countBy({ fanOpenid: openid }),
    complaints: (await complaintsOfFan(manager, openid)).map(presentComplaint),
    trail: trail.map(presentTrail),
  };
}

/** Agents edit the remark, tags and notes; only the fields given change. */
export async function updateCustomer(deps: ConversationDeps, openid: string, changes: { remark?: string | null; tags?: string[]; notes?: string | null }): Promise<FanView> {
  const patch: Partial<Fan> = { updatedAt: deps.clock.now() };
  if (changes.remark !== undefined) patch.remark = changes.remark?.trim() || null;
  if (changes.notes !== undefined) patch.notes = changes.notes?.trim() || null;
  if (changes.tags !== undefined) patch.tags = [...new Set(changes.tags.map((tag) => tag.trim()).filter(Boolean))];
  const result = await deps.dataSource.getRepository(Fan).update({ openid }, patch);
  if (!result.affected) throw notFound("粉丝不存在");
  return loadFanView(deps, openid);
}
