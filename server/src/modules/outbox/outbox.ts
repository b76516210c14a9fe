import type { EntityManager } from "typeorm";
import { newId } from "../../infra/ids";
import type { Clock } from "../../infra/clock";
import type { CustomMessage, WechatApiClient } from "../../wechat/api/client";
import { OutboxMessage, type OutboxKind } from "./outboxMessage.entity";

export type TemplateMessage = Parameters<WechatApiClient["sendTemplate"]>[0];
export type MenuDefinition = Parameters<WechatApiClient["createMenu"]>[0];

/** What a module asks the outbox to send. `ref` names the business row the call belongs to. */
export type OutboundRequest =
  | { kind: "custom"; message: CustomMessage; ref?: string }
  | { kind: "typing"; toUser: string; command: "Typing" | "CancelTyping"; ref?: string }
  | { kind: "template"; template: TemplateMessage; ref?: string }
  | { kind: "menu_create"; menu: MenuDefinition; ref?: string }
  | { kind: "menu_delete"; ref?: string };

function fanOf(request: OutboundRequest): string | null {
  switch (request.kind) {
    case "custom":
      return request.message.toUser;
    case "typing":
      return request.toUser;
    case "template":
      return request.template.toUser;
    default:
      return null;
  }
}

function payloadOf(request: OutboundRequest): object {
  switch (request.kind) {
    case "custom":
      return request.message;
    case "typing":
      return { toUser: request.toUser, command: request.command };
    case "template":
      return request.template;
    case "menu_create":
      return request.menu;
    case "menu_delete":
      return {};
  }
}

/**
 * Writes an outbound call as a row, inside the caller's transaction: the call exists exactly when the
 * change that causes it was committed. The dispatcher sends it afterwards.
 */
export async function enqueueOutbound(manager: EntityManager, request: OutboundRequest, clock: Clock): Promise<OutboxMessage> {
  const [row] = await enqueueOutboundMany(manager, [request], clock);
  return row;
}

/** The same for many calls (a notice to every fan of an area): rows inserted 500 to a statement. */
export async function enqueueOutboundMany(manager: EntityManager, requests: OutboundRequest[], clock: Clock): Promise<OutboxMessage[]> {
  const rows = requests.map((request) => outboxRow(manager, request, clock.now()));
  for (let i = 0; i < rows.length; i += 500) await manager.getRepository(OutboxMessage).insert(rows.slice(i, i + 500));
  return rows;
}

function outboxRow(manager: EntityManager, request: OutboundRequest, now: Date): OutboxMessage {
  return manager.getRepository(OutboxMessage).create({
    id: newId(),
    fanOpenid: fanOf(request),
    kind: request.kind as OutboxKind,
    payload: payloadOf(request),
    status: "pending",
    attempts: 0,
    nextAttemptAt: now,
    claimedBy: null,
    claimExpiresAt: null,
    lastErrcode: null,
    lastError: null,
    result: null,
    ref: request.ref ?? null,
    createdAt: now,
    sentAt: null,
  });
}
