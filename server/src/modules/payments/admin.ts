import { And, IsNull, LessThan, MoreThanOrEqual, type FindOptionsWhere } from "typeorm";
import { notFound } from "../../http/errors";
import { keysetPage } from "../../infra/db/keysetPage";
import type { PaymentsDeps } from "./deps";
import { addDays, chinaDate, chinaDayRange } from "./numbers";
import { PayAnomaly, PayOrder, PayReconciliation, PayRefund, type PayOrderStatus, type PayPurpose } from "./payment.entity";
import { presentReconciliation } from "./reconciliation";
import { presentRefund } from "./refunds";

/** What staff see of payments: the filtered list, one order with its refunds, per-day totals, anomalies. */

export function presentAdminOrder(order: PayOrder) {
  return {
    id: order.id,
    outTradeNo: order.outTradeNo,
    transactionId: order.transactionId,
    purpose: order.purpose,
    description: order.description,
    amountFen: order.amountFen,
    refundedFen: order.refundedFen,
    status: order.status,
    tradeState: order.tradeState,
    fanOpenid: order.fanOpenid,
    customerNumber: order.customerNumber,
    billMonth: order.billMonth,
    billMonths: order.billMonths ?? [],
    settledMonths: order.settledMonths ?? [],
    applicationId: order.applicationId,
    paidVia: order.paidVia,
    credited: Boolean(order.creditedAt),
    creditedAt: order.creditedAt?.toISOString() ?? null,
    creditAttempts: order.creditAttempts,
    creditError: order.creditError,
    needsRefund: order.needsRefund,
    createdAt: order.createdAt.toISOString(),
    expiresAt: order.expiresAt.toISOString(),
    paidAt: order.paidAt?.toISOString() ?? null,
    closedAt: order.closedAt?.toISOString() ?? null,
  };
}

export interface OrderFilter {
  status?: PayOrderStatus;
  purpose?: PayPurpose;
  /** China days, inclusive, on the creation time. */
  from?: string;
  to?: string;
  customerNumber?: string;
  outTradeNo?: string;
  /** Only orders that still need attention: paid but not credited, or flagged for refund. */
  attention?: boolean;
  before?: string;
  limit: number;
}

export async function searchOrders(deps: PaymentsDeps, filter: OrderFilter) {
  const where: FindOptionsWhere<PayOrder> = {};
  if (filter.status) where.status = filter.status;
  if (filter.purpose) where.purpose = filter.purpose;
  if (filter.customerNumber) where.customerNumber = filter.customerNumber;
  if (filter.outTradeNo) where.outTradeNo = filter.outTradeNo;
  if (filter.from || filter.to) {
    const start = filter.from ? chinaDayRange(filter.from).start : new Date(0);
    const end = filter.to ? chinaDayRange(filter.to).end : new Date(8.64e15);
    where.createdAt = And(MoreThanOrEqual(start), LessThan(end));
  }
  if (filter.before) where.id = LessThan(filter.before);
  const repository = deps.dataSource.getRepository(PayOrder);
  const wheres: FindOptionsWhere<PayOrder>[] = filter.attention
    ? [
        { ...where, status: "paid", needsRefund: true },
        { ...where, status: "paid", needsRefund: false, creditedAt: IsNull() },
      ]
    : [where];
  const rows = await repository.find({ where: wheres, order: { id: "DESC" }, take: filter.limit + 1 });
  const { page, nextBefore } = keysetPage(rows, filter.limit);
  return { orders: page.map(presentAdminOrder), nextBefore };
}

export async function orderDetail(deps: PaymentsDeps, id: string) {
  const order = await deps.dataSource.getRepository(PayOrder).findOneBy({ id });
  if (!order) throw notFound("订单不存在");
  const [refunds, anomalies] = await Promise.all([
    deps.dataSource.getRepository(PayRefund).find({ where: { orderId: id }, order: { createdAt: "ASC" } }),
    deps.dataSource.getRepository(PayAnomaly).find({ where: { orderId: id }, order: { createdAt: "ASC" } }),
  ]);
  const reserved = refunds.filter((refund) => ["requested", "processing", "success", "abnormal"].includes(refund.status)).reduce((sum, refund) => sum + refund.amountFen, 0);
  return {
    order: presentAdminOrder(order),
    refundableFen: order.status === "paid" ? Math.max(0, order.amountFen - reserved) : 0,
    refunds: refunds.map(presentRefund),
    anomalies: anomalies.map(presentAnomaly),
  };
}

/** Per China day (every day of the range, zeros included): payments received and refunds paid out. */
export async function dailyTotals(deps: PaymentsDeps, from: string, to: string) {
  const start = chinaDayRange(from).start;
  const end = chinaDayRange(to).end;
  const [orders, refunds] = await Promise.all([
    deps.dataSource.getRepository(PayOrder).find({ where: { status: "paid", paidAt: And(MoreThanOrEqual(start), LessThan(end)) }, select: { id: true, purpose: true, amountFen: true, paidAt: true } }),
    deps.dataSource.getRepository(PayRefund).find({ where: { status: "success", succeededAt: And(MoreThanOrEqual(start), LessThan(end)) }, select: { id: true, amountFen: true, succeededAt: true } }),
  ]);
  const days = new Map<string, { date: string; paidCount: number; paidFen: number; billFen: number; topupFen: number; applicationFen: number; refundCount: number; refundFen: number; netFen: number }>();
  for (let day = from; day <= to; day = addDays(day, 1)) {
    days.set(day, { date: day, paidCount: 0, paidFen: 0, billFen: 0, topupFen: 0, applicationFen: 0, refundCount: 0, refundFen: 0, netFen: 0 });
  }
  for (const order of orders) {
    const day = days.get(chinaDate(order.paidAt!));
    if (!day) continue;
    day.paidCount++;
    day.paidFen += order.amountFen;
    day[`${order.purpose}Fen` as "billFen" | "topupFen" | "applicationFen"] += order.amountFen;
  }
  for (const refund of refunds) {
    const day = days.get(chinaDate(refund.succeededAt!));
    if (!day) continue;
    day.refundCount++;
    day.refundFen += refund.amountFen;
  }
  const list = [...days.values()].map((day) => ({ ...day, netFen: day.paidFen - day.refundFen }));
  const total = list.reduce(
    (sum, day) => ({ paidCount: sum.paidCount + day.paidCount, paidFen: sum.paidFen + day.paidFen, refundCount: sum.refundCount + day.refundCount, refundFen: sum.refundFen + day.refundFen, netFen: sum.netFen + day.netFen }),
    { paidCount: 0, paidFen: 0, refundCount: 0, refundFen: 0, netFen: 0 },
  );
  return { days: list.reverse(), total };
}

export function presentAnomaly(row: PayAnomaly) {
  return { id: row.id, kind: row.kind, source: row.source, outTradeNo: row.outTradeNo, orderId: row.orderId, detail: row.detail, createdAt: row.createdAt.toISOString() };
}

export async function listAnomalies(deps: PaymentsDeps, options: { before?: string; limit: number }) {
  const rows = await deps.dataSource.getRepository(PayAnomaly).find({ where: options.before ? { id: LessThan(options.before) } : {}, order: { id: "DESC" }, take: options.limit + 1 });
  const { page, nextBefore } = keysetPage(rows, options.limit);
  return { anomalies: page.map(presentAnomaly), nextBefore };
}

export async function listReconciliations(deps: PaymentsDeps, limit: number) {
  const rows = await deps.dataSource.getRepository(PayReconciliation).find({ order: { billDate: "DESC" }, take: limit });
  return { reconciliations: rows.map(presentReconciliation) };
}

export async function reconciliationOf(deps: PaymentsDeps, billDate: string) {
  const row = await deps.dataSource.getRepository(PayReconciliation).findOneBy({ billDate });
  if (!row) throw notFound("该日尚未对账");
  return { reconciliation: presentReconciliation(row) };
}
