import { IsNull } from "typeorm";
import type { WechatApiClient } from "../../wechat/api/client";
import { Conversation } from "../conversations/conversation.entity";
import { loadConversationSettings } from "../conversations/conversationSettings";
import { Pushes, type ConversationDeps } from "../conversations/deps";
import { loadConversationView } from "../conversations/views";
import { Fan } from "../fans/fan.entity";
import type { InboundRouter } from "../inbox/inbox";

/**
 * Fans' WeChat nicknames, so agents see whom they serve. The callback carries only the openid: when a fan
 * follows or writes and has no nickname yet, user/info is asked — after WeChat has been answered, and
 * without holding up the fan's routing (the router only starts the lookup). A WeChat failure is logged
 * and forgotten: a later message tries again. Storing only over an empty nickname makes reruns harmless.
 */

/** What makes us look: a follow, or a message the fan wrote. */
const TRIGGERS: ReadonlySet<string> = new Set(["subscribe", "text", "image", "voice", "video", "shortvideo", "location", "link"]);
/** After a failure (on any instance) the fan's later messages wait this long before asking again. */
const RETRY_AFTER_FAILURE_MS = 10 * 60_000;
/** WeChat answered without a nickname (unfollowed, or WeChat withholds it): ask again a day later. */
const RETRY_AFTER_EMPTY_MS = 24 * 3600_000;
/** Lookups running at once per instance; a fan beyond that is looked up on a later message. */
const MAX_LOOKUPS = 16;
/** Fans this instance need not look at again (named, or tried recently), so later messages cost no query. */
const MAX_REMEMBERED = 10_000;
/** Fan.nickname is varchar(100). */
const MAX_NICKNAME_CHARS = 100;

export type FanNicknameDeps = ConversationDeps & { wechat: WechatApiClient };

export class FanNicknames {
  private readonly lookups = new Map<string, Promise<void>>();
  /** openid → when it is worth looking again (Infinity once named). */
  private readonly settled = new Map<string, number>();

  constructor(private readonly deps: FanNicknameDeps) {}

  /** The inbox router: starts a lookup for a nameless fan; never fails the routing. */
  router(): InboundRouter {
    return async (message) => {
      if (!TRIGGERS.has(message.kind)) return null;
      try {
        await this.lookUpIfNameless(message.fromUserName);
      } catch (error) {
        this.deps.logger.warn({ err: error, openid: message.fromUserName }, "could not start the fan's nickname lookup");
      }
      return null;
    };
  }

  /** Waits for lookups under way (shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.lookups.values()]);
  }

  private async lookUpIfNameless(openid: string): Promise<void> {
    if ((this.settled.get(openid) ?? 0) > this.now() || this.lookups.has(openid) || this.lookups.size >= MAX_LOOKUPS) return;
    const fan = await this.deps.dataSource.getRepository(Fan).findOne({ select: { openid: true, nickname: true }, where: { openid } });
    if (!fan) return;
    if (fan.nickname) return this.remember(openid, Infinity);
    // One instance asks; the others (and this one's later messages) wait for the key to expire.
    if (!(await this.deps.kv.setIfAbsent(this.retryKey(openid), "1", RETRY_AFTER_FAILURE_MS))) return this.remember(openid, this.now() + RETRY_AFTER_FAILURE_MS);
    const lookup = this.lookUp(openid).finally(() => this.lookups.delete(openid));
    this.lookups.set(openid, lookup);
  }

  private async lookUp(openid: string): Promise<void> {
    try {
      const info = await this.deps.wechat.getUserInfo(openid);
      const nickname = [...(info.nickname ?? "").trim()].slice(0, MAX_NICKNAME_CHARS).join("");
      if (!info.subscribe || !nickname) {
        await this.deps.kv.set(this.retryKey(openid), "1", RETRY_AFTER_EMPTY_MS);
        return this.remember(openid, this.now() + RETRY_AFTER_EMPTY_MS);
      }
      const stored = await this.deps.dataSource.getRepository(Fan).update({ openid, nickname: IsNull() }, { nickname, updatedAt: this.deps.clock.now() });
      this.remember(openid, Infinity);
      if (stored.affected) await this.announce(openid).catch((error) => this.deps.logger.warn({ err: error, openid }, "could not push the fan's new nickname"));
    } catch (error) {
      this.remember(openid, this.now() + RETRY_AFTER_FAILURE_MS);
      this.deps.logger.warn({ err: error, openid }, "could not fetch the fan's nickname from WeChat; a later message tries again");
    }
  }

  /** The fan's open conversation shows the new name at once: the queue to every agent, otherwise to its agent. */
  private async announce(openid: string): Promise<void> {
    const open = await this.deps.dataSource.getRepository(Conversation).findOneBy({ openFanOpenid: openid });
    if (!open) return;
    const { timers } = await loadConversationSettings(this.deps.settings);
    const view = () => loadConversationView(this.deps.dataSource.manager, open.id, this.deps.clock.now(), timers);
    const pushes = new Pushes();
    if (open.status === "waiting") pushes.toAllAgents("conversation:updated", view);
    else pushes.toAgent(open.agentId, "conversation:updated", view).toSupervisors("conversation:updated", view);
    await pushes.flush(this.deps.realtime, this.deps.logger);
  }

  private remember(openid: string, until: number): void {
    this.settled.delete(openid);
    this.settled.set(openid, until);
    if (this.settled.size > MAX_REMEMBERED) this.settled.delete(this.settled.keys().next().value!);
  }

  private retryKey(openid: string): string {
    return `fans:nickname-lookup:${openid}`;
  }

  private now(): number {
    return this.deps.clock.now().getTime();
  }
}
