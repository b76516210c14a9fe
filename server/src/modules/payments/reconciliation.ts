import { And, In, LessThan, MoreThanOrEqual } from "typeorm";
import { newId } from "../../infra/ids";
import type { TradeBillRow } from "../../wechat/pay/payGateway";
import { recordAudit } from "../audit/audit";
import { isDuplicateKey } from "../conversations/db";
import type { PaymentsDeps } from "./deps";
import { chinaDayRange } from "./numbers";
import { PayOrder, PayReconciliation, PayRefund, type ReconciliationMismatch } from "./payment.entity";

/**
 * The daily reconciliation: our orders paid and refunds succeeded on a China day against WeChat Pay's
 * trade bill of that day. WeChat publishes the bill after 10:00 the next day, for the last 3 months.
 */

export interface LocalPayment {
  outTradeNo: string;
  status: string;
  amountFen: number;
}

export interface LocalRefund {
  outRefundNo: string;
  outTradeNo: string;
  status: string;
  amountFen: number;
}

/**
 * The comparison itself. `paidThatDay` are our orders paid on the day; `known` holds every other order
 * the bill names (paid another day by our clock, or not paid here at all); the same for refunds.
 */
export function compareWithTradeBill(input: {
  paidThatDay: LocalPayment[];
  knownOrders: LocalPayment[];
  refundedThatDay: LocalRefund[];
  knownRefunds: LocalRefund[];
  bill: TradeBillRow[];
}): ReconciliationMismatch[] {
  const mismatches: ReconciliationMismatch[] = [];
  const orders = new Map([...input.knownOrders, ...input.paidThatDay].map((order) => [order.outTradeNo, order]));
  const refunds = new Map([...input.knownRefunds, ...input.refundedThatDay].map((refund) => [refund.outRefundNo, refund]));
  const seenOrders = new Set<string>();
  const seenRefunds = new Set<string>();

  for (const row of input.bill) {
    if (row.outRefundNo) {
      seenRefunds.add(row.outRefundNo);
      const local = refunds.get(row.outRefundNo);
      if (!local) mismatches.push({ kind: "refund_missing_local", outTradeNo: row.outTradeNo, outRefundNo: row.outRefundNo, remoteFen: row.refundFen, remoteState: row.tradeState });
      else if (local.status !== "success") mismatches.push({ kind: "state_mismatch", outTradeNo: row.outTradeNo, outRefundNo: row.outRefundNo, localState: local.status, remoteState: row.tradeState, localFen: local.amountFen, remoteFen: row.refundFen });
      else if (local.amountFen !== row.refundFen) mismatches.push({ kind: "refund_amount_mismatch", outTradeNo: row.outTradeNo, outRefundNo: row.outRefundNo, localFen: local.amountFen, remoteFen: row.refundFen });
      continue;
    }
    seenOrders.add(row.outTradeNo);
    const local = orders.get(row.outTradeNo);
    if (!local) mismatches.push({ kind: "missing_local", outTradeNo: row.outTradeNo, remoteFen: row.amountFen, remoteState: row.tradeState });
    else if (local.status !== "paid") mismatches.push({ kind: "state_mismatch", outTradeNo: row.outTradeNo, localState: local.status, remoteState: row.tradeState, localFen: local.amountFen, remoteFen: row.amountFen });
    else if (local.amountFen !== row.amountFen) mismatches.push({ kind: "amount_mismatch", outTradeNo: row.outTradeNo, localFen: local.amountFen, remoteFen: row.amountFen });
  }
  for (const order of input.paidThatDay) {
    if (!seenOrders.has(order.outTradeNo)) mismatches.push({ kind: "missing_remote", outTradeNo: order.outTradeNo, localFen: order.amountFen, localState: order.status });
  }
  for (const refund of input.refundedThatDay) {
    if (!seenRefunds.has(refund.outRefundNo)) mismatches.push({ kind: "refund_missing_remote", outTradeNo: refund.outTradeNo, outRefundNo: refund.outRefundNo, localFen: refund.amountFen, localState: refund.status });
  }
  return mismatches;
}

export function presentReconciliation(row: PayReconciliation) {
  return {
    billDate: row.billDate,
    status: row.status,
    localCount: row.localCount,
    localFen: row.localFen,
    remoteCount: row.remoteCount,
    remoteFen: row.remoteFen,
    mismatches: row.mismatches,
    runBy: row.runBy,
    ranAt: row.ranAt.toISOString(),
  };
}

/** Reconciles one China day and stores the report (replacing an earlier run of the same day). */
export async function reconcileDay(deps: PaymentsDeps, billDate: string, runBy: string, ip: string | null = null) {
  const { start, end } = chinaDayRange(billDate);
  const bill = await deps.pay!.gateway.tradeBill(billDate);
  const orders = deps.dataSource.getRepository(PayOrder);
  const refunds = deps.dataSource.getRepository(PayRefund);
  const paidThatDay = await orders.find({ where: { status: "paid", paidAt: And(MoreThanOrEqual(start), LessThan(end)) } });
  const refundedThatDay = await refunds.find({ where: { status: "success", succeededAt: And(MoreThanOrEqual(start), LessThan(end)) } });

  let mismatches: ReconciliationMismatch[] = [];
  let remoteCount = 0;
  let remoteFen = 0;
  if (bill) {
    const named = [...new Set(bill.filter((row) => !row.outRefundNo).map((row) => row.outTradeNo))];
    const namedRefunds = [...new Set(bill.map((row) => row.outRefundNo).filter((no): no is string => Boolean(no)))];
    const knownOrders = named.length ? await orders.find({ where: { outTradeNo: In(named) } }) : [];
    const knownRefunds = namedRefunds.length ? await refunds.find({ where: { outRefundNo: In(namedRefunds) } }) : [];
    const refundedOrderIds = [...new Set([...knownRefunds, ...refundedThatDay].map((refund) => refund.orderId))];
    const refundedOrders = refundedOrderIds.length ? await orders.find({ where: { id: In(refundedOrderIds) } }) : [];
    const refundOrderNos = new Map(refundedOrders.map((order) => [order.id, order.outTradeNo]));
    const localRefund = (refund: PayRefund): LocalRefund => ({ outRefundNo: refund.outRefundNo, outTradeNo: refundOrderNos.get(refund.orderId) ?? "", status: refund.status, amountFen: refund.amountFen });
    mismatches = compareWithTradeBill({
      paidThatDay: paidThatDay.map((order) => ({ outTradeNo: order.outTradeNo, status: order.status, amountFen: order.amountFen })),
      knownOrders: knownOrders.map((order) => ({ outTradeNo: order.outTradeNo, status: order.status, amountFen: order.amountFen })),
      refundedThatDay: refundedThatDay.map(localRefund),
      knownRefunds: knownRefunds.map(localRefund),
      bill,
    });
    const payments = bill.filter((row) => !row.outRefundNo);
    remoteCount = payments.length;
    remoteFen = payments.reduce((sum, row) => sum + row.amountFen, 0);
  }

  const report = {
    billDate,
    status: !bill ? "no_bill" : mismatches.length ? "mismatch" : "ok",
    localCount: paidThatDay.length,
    localFen: paidThatDay.reduce((sum, order) => sum + order.amountFen, 0),
    remoteCount,
    remoteFen,
    mismatches,
    runBy,
    ranAt: deps.clock.now(),
  };
  const repository = deps.dataSource.getRepository(PayReconciliation);
  const existing = await repository.findOneBy({ billDate });
  if (existing) await repository.update({ id: existing.id }, report);
  else {
    try {
      await repository.insert({ id: newId(), ...report });
    } catch (error) {
      // Another instance stored the same day a moment ago: ours is as new.
      if (!isDuplicateKey(error)) throw error;
      await repository.update({ billDate }, report);
    }
  }
  if (report.status === "mismatch") deps.logger.warn({ billDate, mismatches: mismatches.length }, "reconciliation found mismatches");
  if (runBy !== "job") {
    await recordAudit(deps.dataSource, deps.clock, { actorType: "agent", actorId: runBy, action: "payment.reconcile", detail: { billDate, status: report.status, mismatches: mismatches.length }, ip });
  }
  return presentReconciliation(await repository.findOneByOrFail({ billDate }));
}
