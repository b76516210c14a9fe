import { money } from "../../shared/money";
import { NOTICE_KIND_LABEL } from "../../api/notices";

/**
 * One line an admin can read for an audit entry's detail (the server stores ids and codes as JSON).
 * Unknown actions fall back to "key：value" pairs; the raw JSON stays available as the cell's tooltip.
 */

const APPLICATION_STATUS: Record<string, string> = {
  awaiting_payment: "待支付",
  submitted: "已提交",
  accepted: "已受理",
  processing: "办理中",
  done: "已办结",
  rejected: "已驳回",
};
const GUIDE_KIND: Record<string, string> = { guide: "业务流程", fee_standard: "收费标准", outlet: "营业网点" };
const GUIDE_OP: Record<string, string> = { create: "新建", update: "修改", delete: "删除" };

const amount = (fen: unknown) => (typeof fen === "number" ? money(fen) : "");
const text = (value: unknown) => (value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value));

export function describeAuditDetail(action: string, detail: Record<string, unknown> | null): string {
  if (!detail) return "";
  const d = detail;
  switch (action) {
    case "menu.publish":
      return Array.isArray(d.buttons) ? `菜单：${d.buttons.join("、")}` : "";
    case "welcome.update":
      return d.length === 0 ? "关闭关注回复" : `${text(d.length)} 个字`;
    case "guides.change":
      return `${GUIDE_OP[text(d.op)] ?? text(d.op)}${GUIDE_KIND[text(d.kind)] ?? text(d.kind)}`;
    case "application.status":
      return `${APPLICATION_STATUS[text(d.from)] ?? text(d.from)} → ${APPLICATION_STATUS[text(d.to)] ?? text(d.to)}`;
    case "notice.create":
    case "notice.update":
    case "notice.publish":
    case "notice.unpublish":
      return [(NOTICE_KIND_LABEL as Record<string, string>)[text(d.kind)] ?? text(d.kind), d.title ? `「${text(d.title)}」` : ""].join(" ").trim();
    case "bill.list":
      return d.months ? `最近 ${text(d.months)} 个月` : "";
    case "bill.view":
      return d.month ? `${text(d.month)} 账单${d.found === false ? "（无此月账单）" : ""}` : "";
    case "payment.order":
      return `订单 ${text(d.outTradeNo)} ${amount(d.amountFen)}`;
    case "payment.refund":
      return `订单 ${text(d.outTradeNo)} 退款 ${amount(d.amountFen)}${d.reason ? `（${text(d.reason)}）` : ""}`;
    case "payment.reconcile":
      return `${text(d.billDate)} 对账${d.mismatches ? `，差异 ${text(d.mismatches)} 笔` : ""}`;
    default:
      return Object.entries(d)
        .map(([key, value]) => `${key}：${text(value)}`)
        .join("，");
  }
}
