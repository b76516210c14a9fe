import type { EntityManager } from "typeorm";
import type { Clock } from "../../infra/clock";
import { enqueueOutbound } from "../outbox/outbox";

/**
 * Telling a fan that their application or complaint changed, through the outbox in the caller's
 * transaction. A template message when its id is configured (it reaches the fan however long ago they
 * last wrote); otherwise a customer-service text, which WeChat accepts only within 48 h of the fan's last
 * interaction — the dispatcher records the refusal, and the fan still sees the change on the H5 page.
 */
export async function notifyFan(
  manager: EntityManager,
  clock: Clock,
  notice: {
    openid: string;
    ref: string;
    url: string;
    templateId: string;
    data: Record<string, string>;
    fallbackText: string;
  },
): Promise<void> {
  const templateId = notice.templateId.trim();
  if (templateId) {
    await enqueueOutbound(
      manager,
      {
        kind: "template",
        ref: notice.ref,
        template: { toUser: notice.openid, templateId, url: notice.url, data: Object.fromEntries(Object.entries(notice.data).map(([key, value]) => [key, { value }])) },
      },
      clock,
    );
    return;
  }
  await enqueueOutbound(manager, { kind: "custom", ref: notice.ref, message: { toUser: notice.openid, type: "text", content: `${notice.fallbackText}\n<a href="${notice.url}">点击查看详情</a>` } }, clock);
}


/** A `phrase` value: at most 5 Chinese characters. */
export function phrase(text: string): string {
  return [...text].slice(0, 5).join("");
}

/** A fan-facing ticket number: prefix + China date + 6 random digits (unique index; callers retry on a clash). */
export function ticketNumber(prefix: string, now: Date): string {
  const china = new Date(now.getTime() + 8 * 3600_000);
  const day = `${china.getUTCFullYear()}${String(china.getUTCMonth() + 1).padStart(2, "0")}${String(china.getUTCDate()).padStart(2, "0")}`;
  return `${prefix}${day}${String(Math.floor(Math.random() * 1_000_000)).padStart(6, "0")}`;
}
