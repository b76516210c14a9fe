import type { InboundMessage, PassiveReply } from "../../wechat/callback/messages";
import { recordAudit } from "../audit/audit";
import type { InboundRouter } from "../inbox/inbox";
import { bindingsOf } from "./accounts";
import { BillingUnavailableError } from "./billingGateway";
import type { WaterDeps } from "./deps";
import { monthLabel, yuan } from "./tariff";

/**
 * 查水费 in chat: the keyword (typed exactly, full-width spaces and letters tolerated) or the menu item's
 * CLICK key answers with the latest bill of each bound account, or with the binding link when none is
 * bound. The conversation router leaves these messages alone (see isWaterBillRequest's registration in
 * waterModule.ts), so asking for the bill never queues a human conversation.
 */

export const WATER_BILL_KEYWORD = "查水费";
export const WATER_BILL_MENU_KEY = "WATER_BILL";
const MAX_ACCOUNTS_IN_CHAT = 5;

export function isWaterBillRequest(message: InboundMessage): boolean {
  if (message.kind === "text") return message.content.normalize("NFKC").replace(/\s+/g, "") === WATER_BILL_KEYWORD;
  if (message.kind === "click") return message.eventKey === WATER_BILL_MENU_KEY;
  return false;
}

/** A link that opens an H5 page after the silent web OAuth (PUBLIC_URL/api/fan/oauth/start). */
export function h5Link(publicUrl: string, page: string): string {
  return `${publicUrl}/api/fan/oauth/start?next=${encodeURIComponent(`/h5/#${page}`)}`;
}

export async function waterBillSummary(deps: WaterDeps, openid: string): Promise<string> {
  const bindings = await bindingsOf(deps, openid);
  if (bindings.length === 0) {
    return `您还没有绑定水费户号。\n<a href="${h5Link(deps.publicUrl, "/bind")}">点击这里绑定户号</a>，绑定后即可查询水费、订阅每月账单。`;
  }
  const lines: string[] = ["您绑定户号的最新账单："];
  const shown = bindings.slice(0, MAX_ACCOUNTS_IN_CHAT);
  for (const binding of shown) {
    lines.push("");
    lines.push(`户号 ${binding.customerNumber}（${binding.ownerNameMasked}）`);
    try {
      const [bill] = await deps.gateway.bills(binding.customerNumber, 1);
      lines.push(
        bill
          ? `${monthLabel(bill.month)}：用水 ${bill.volumeM3} 立方米，水费 ${yuan(bill.amountFen)}，${bill.status === "paid" ? "已缴清" : "未缴费"}`
          : "暂无账单",
      );
    } catch (error) {
      if (!(error instanceof BillingUnavailableError)) throw error;
      deps.logger.warn({ err: error, customerNumber: binding.customerNumber }, "bill summary: billing system unavailable");
      lines.push("账务系统暂时不可用，请稍后再试");
    }
  }
  if (bindings.length > shown.length) lines.push("", `另有 ${bindings.length - shown.length} 个户号未显示。`);
  lines.push("", `<a href="${h5Link(deps.publicUrl, "/bills")}">查看近三年账单明细</a>`);
  await recordAudit(
    deps.dataSource,
    deps.clock,
    shown.map((binding) => ({ actorType: "fan" as const, actorId: openid, action: "bill.chat_summary" as const, customerNumber: binding.customerNumber })),
  );
  return lines.join("\n");
}

/** The inbox router: answers 查水费 (passively while routing keeps up, else as a customer-service message). */
export function waterBillChatRouter(deps: WaterDeps): InboundRouter {
  return async (message): Promise<PassiveReply | null> => {
    if (!isWaterBillRequest(message)) return null;
    return { type: "text", content: await waterBillSummary(deps, message.fromUserName) };
  };
}
