import type { DataSource, EntityManager } from "typeorm";
import type { Clock } from "../../infra/clock";
import { newId } from "../../infra/ids";
import type { Logger } from "../../infra/logger";
import type { InboundMessage } from "../../wechat/callback/messages";
import type { ReplyHook } from "../inbox/inbox";
import { isDuplicateKey } from "../conversations/db";
import { FanTrail, type FanTrailKind } from "./fanTrail.entity";

/** The trail entry an event leaves (follow, unfollow, QR scan, menu click or view), or null for other messages. */
export function trailOf(message: InboundMessage): { kind: FanTrailKind; detail: object | null } | null {
  switch (message.kind) {
    case "subscribe":
      return { kind: "follow", detail: message.sceneKey ? { scene: message.sceneKey } : null };
    case "unsubscribe":
      return { kind: "unfollow", detail: null };
    case "scan":
      return { kind: "qr_scan", detail: { scene: message.sceneKey } };
    case "click":
      return { kind: "menu_click", detail: { key: message.eventKey } };
    case "view":
      return { kind: "menu_view", detail: { url: message.url } };
    default:
      return null;
  }
}

/**
 * Records events in the fan's trail. The row id is the inbound message id, so running the hook again
 * for the same message (the inbox sweep after a crash) adds nothing. Events never queue a conversation.
 */
export function fanTrailHook(deps: { dataSource: DataSource; logger: Logger }): ReplyHook {
  return async (message, { inboundId }) => {
    const trail = trailOf(message);
    if (!trail) return null;
    try {
      await deps.dataSource.getRepository(FanTrail).insert({
        id: inboundId,
        openid: message.fromUserName,
        kind: trail.kind,
        detail: trail.detail,
        at: new Date(message.createTime * 1000),
      });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    return null;
  };
}

/** Adds a trail entry from inside another change (e.g. a rating); other modules (bills, payments, H5) call it too. */
export async function addTrail(manager: EntityManager, clock: Clock, entry: { id?: string; openid: string; kind: FanTrailKind; detail?: object | null; at?: Date }): Promise<void> {
  await manager.getRepository(FanTrail).insert({
    id: entry.id ?? newId(),
    openid: entry.openid,
    kind: entry.kind,
    detail: entry.detail ?? null,
    at: entry.at ?? clock.now(),
  });
}

export function presentTrail(entry: FanTrail) {
  return { id: entry.id, kind: entry.kind, detail: entry.detail, at: entry.at.toISOString() };
}
