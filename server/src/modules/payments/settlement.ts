import { newId } from "../../infra/ids";
import { PayApiError, type PayTransaction } from "../../wechat/pay/payGateway";
import { isDuplicateKey, withTransaction } from "../conversations/db";
import type { PaymentsDeps } from "./deps";
import { enqueuePaymentNotice } from "./paymentNotice";
import { PayAnomaly, PayOrder, type PayAnomalyKind } from "./payment.entity";

/**
 * The one path from "WeChat says this order is paid" to "the account is credited", shared by the notify
 * route, the fan's status poll and the query job.
 *
 * Exactly once, however many notifications and queries race on however many instances:
 *  1. a conditional update pending → paid (only one caller's update matches);
 *  2. the credit: the billing gateway's recordPayment is idempotent per paymentRef (our out_trade_no),
 *     and credited_at is set conditionally afterwards; an application fee is marked paid in the same
 *     transaction as the conditional credited_at update. A failed credit leaves the order paid but not
 *     credited; the query job retries it.
 */

export type SettleOutcome =
  /** Paid and credited (now or earlier), or paid-after-close and flagged: nothing more to do. */
  | "settled"
  /** Paid and stored, but the credit failed (billing system down): the caller should ask WeChat to retry. */
  | "credit_failed"
  /** Verified but not acted on (unknown order, wrong amount, …): stored as an anomaly, nothing changed. */
  | "anomaly";

export async function recordAnomaly(
  deps: PaymentsDeps,
  anomaly: { kind: PayAnomalyKind; source: string; dedupeKey: string; outTradeNo?: string | null; orderId?: string | null; detail: Record<string, unknown> },
): Promise<void> {
  deps.logger.warn({ ...anomaly }, `payment anomaly: ${anomaly.kind}`);
  try {
    await deps.dataSource.getRepository(PayAnomaly).insert({
      id: newId(),
      kind: anomaly.kind,
      source: anomaly.source,
      outTradeNo: anomaly.outTradeNo ?? null,
      orderId: anomaly.orderId ?? null,
      dedupeKey: anomaly.dedupeKey.slice(0, 120),
      detail: anomaly.detail as never,
      createdAt: deps.clock.now(),
    });
  } catch (error) {
    // A repeat of the same notification: stored once already.
    if (!isDuplicateKey(error)) throw error;
  }
}

/**
 * Records a SUCCESS (or REFUND: it was paid first) trade state for one of our orders after checking it
 * is ours: merchant, amount and payer must match the order, else nothing changes.
 * `dedupeKey` identifies the notification (its id) or the query, for the anomaly table.
 */
export async function recordPaid(deps: PaymentsDeps, transaction: PayTransaction, source: "notify" | "query", dedupeKey: string): Promise<SettleOutcome> {
  const gateway = deps.pay!.gateway;
  const order = await deps.dataSource.getRepository(PayOrder).findOneBy({ outTradeNo: transaction.outTradeNo });
  const reported = {
    appid: transaction.appid,
    mchid: transaction.mchid,
    transactionId: transaction.transactionId,
    tradeState: transaction.tradeState,
    amountFen: transaction.amountFen,
    payerOpenid: transaction.payerOpenid,
  };
  if (!order) {
    await recordAnomaly(deps, { kind: "unknown_order", source, dedupeKey: `${source}:${dedupeKey}`, outTradeNo: transaction.outTradeNo, detail: reported });
    return "anomaly";
  }
  const kind: PayAnomalyKind | null =
    transaction.appid !== gateway.appId || transaction.mchid !== gateway.mchId
      ? "merchant_mismatch"
      : transaction.amountFen !== order.amountFen
        ? "amount_mismatch"
        : transaction.payerOpenid !== null && transaction.payerOpenid !== order.fanOpenid
          ? "payer_mismatch"
          : null;
  if (kind) {
    await recordAnomaly(deps, { kind, source, dedupeKey: `${source}:${dedupeKey}`, outTradeNo: order.outTradeNo, orderId: order.id, detail: { ...reported, expectedAmountFen: order.amountFen } });
    return "anomaly";
  }

  const now = deps.clock.now();
  const paid = {
    status: "paid" as const,
    tradeState: transaction.tradeState,
    transactionId: transaction.transactionId,
    paidAt: transaction.successTime ?? now,
    paidVia: source,
    openKey: null,
    updatedAt: now,
  };
  const repository = deps.dataSource.getRepository(PayOrder);
  const won = await repository.createQueryBuilder().update(PayOrder).set(paid).where("id = :id AND status = :pending", { id: order.id, pending: "pending" }).execute();
  if (!won.affected) {
    // Money taken for an order we had already closed (e.g. paid at the last second): recorded, never
    // credited (the fan may have paid the same bill again since), flagged for an admin to refund.
    const late = await repository
      .createQueryBuilder()
      .update(PayOrder)
      .set({ ...paid, needsRefund: true })
      .where("id = :id AND status = :closed", { id: order.id, closed: "closed" })
      .execute();
    if (late.affected) {
      await recordAnomaly(deps, { kind: "paid_after_close", source, dedupeKey: `paid_after_close:${order.id}`, outTradeNo: order.outTradeNo, orderId: order.id, detail: reported });
      return "settled";
    }
  } else {
    deps.logger.info({ outTradeNo: order.outTradeNo, amountFen: order.amountFen, source }, "payment received");
  }
  return creditOrder(deps, order.id);
}

/** Credits a paid order once (see the file comment); "settled" when there is nothing (left) to credit. */
export async function creditOrder(deps: PaymentsDeps, orderId: string): Promise<SettleOutcome> {
  const repository = deps.dataSource.getRepository(PayOrder);
  const order = await repository.findOneBy({ id: orderId });
  if (!order || order.status !== "paid" || order.creditedAt || order.needsRefund) return "settled";
  const paidAt = order.paidAt ?? deps.clock.now();
  try {
    if (order.purpose === "application") {
      const fees = deps.applicationFees();
      if (!fees) throw new Error("the application-fee service is not installed");
      await withTransaction(deps.dataSource, async (manager) => {
        const credited = await manager
          .createQueryBuilder()
          .update(PayOrder)
          .set({ creditedAt: deps.clock.now(), creditError: null, updatedAt: deps.clock.now() })
          .where("id = :id AND credited_at IS NULL", { id: order.id })
          .execute();
        if (credited.affected) await fees.markPaid(manager, order.applicationId!, { orderId: order.id, paidAt });
      });
    } else {
      const result = await deps.billing.recordPayment(order.customerNumber!, { paymentRef: order.outTradeNo, amountFen: order.amountFen, paidAt });
      const notified = await withTransaction(deps.dataSource, async (manager) => {
        const credited = await manager
          .createQueryBuilder()
          .update(PayOrder)
          .set({ creditedAt: deps.clock.now(), settledMonths: result.settledMonths, creditError: null, updatedAt: deps.clock.now() })
          .where("id = :id AND credited_at IS NULL", { id: order.id })
          .execute();
        // Only the caller that set credited_at tells the fan: one 缴费成功 notice per order.
        return credited.affected ? enqueuePaymentNotice(manager, deps, order, result.settledMonths) : false;
      });
      if (notified) deps.wakeOutbox();
    }
    return "settled";
  } catch (error) {
    deps.logger.error({ err: error, outTradeNo: order.outTradeNo }, "payment received but not credited yet (will retry)");
    await repository
      .createQueryBuilder()
      .update(PayOrder)
      .set({ creditAttempts: () => "credit_attempts + 1", creditError: String((error as Error).message ?? error).slice(0, 200), updatedAt: deps.clock.now() })
      .where("id = :id AND credited_at IS NULL", { id: order.id })
      .execute()
      .catch(() => undefined);
    return "credit_failed";
  }
}

/** Marks a pending order closed locally (after WeChat closed it, or never had it). */
export async function markClosed(deps: PaymentsDeps, order: PayOrder, tradeState: string | null): Promise<boolean> {
  const now = deps.clock.now();
  const result = await deps.dataSource
    .getRepository(PayOrder)
    .createQueryBuilder()
    .update(PayOrder)
    .set({ status: "closed", closedAt: now, openKey: null, tradeState, updatedAt: now })
    .where("id = :id AND status = :pending", { id: order.id, pending: "pending" })
    .execute();
  return Boolean(result.affected);
}

/**
 * Asks WeChat for the order's state and records it: SUCCESS/REFUND → recordPaid; CLOSED/REVOKED, or
 * ORDER_NOT_EXIST after expiry → closed; still unpaid after expiry → closed at WeChat, then here.
 */
export async function syncOrder(deps: PaymentsDeps, order: PayOrder): Promise<void> {
  const gateway = deps.pay!.gateway;
  const now = deps.clock.now();
  await deps.dataSource.getRepository(PayOrder).update({ id: order.id }, { lastQueriedAt: now });
  const transaction = await gateway.queryOrder(order.outTradeNo);
  const expired = order.expiresAt.getTime() <= now.getTime();
  if (!transaction) {
    // WeChat never had it (our create call failed before reaching it): nothing can be paid any more once expired.
    if (expired) await markClosed(deps, order, null);
    return;
  }
  switch (transaction.tradeState) {
    case "SUCCESS":
    case "REFUND":
      await recordPaid(deps, transaction, "query", `${order.outTradeNo}:${transaction.tradeState}:${transaction.transactionId ?? ""}`);
      return;
    case "CLOSED":
    case "REVOKED":
      await markClosed(deps, order, transaction.tradeState);
      return;
    default:
      // NOTPAY, USERPAYING, PAYERROR: the fan may still pay until the order expires.
      if (expired && order.status === "pending") await closeAtWechat(deps, order);
  }
}

/** Closes an order at WeChat (so it can no longer be paid), then here; a payment that won the race is recorded instead. */
export async function closeAtWechat(deps: PaymentsDeps, order: PayOrder): Promise<void> {
  try {
    await deps.pay!.gateway.closeOrder(order.outTradeNo);
  } catch (error) {
    if (!(error instanceof PayApiError) || error.retryable) throw error;
    if (error.code !== "ORDER_NOT_EXIST" && error.code !== "ORDER_CLOSED") {
      // e.g. ORDER_PAID: look again and record what WeChat has.
      const transaction = await deps.pay!.gateway.queryOrder(order.outTradeNo);
      if (transaction && (transaction.tradeState === "SUCCESS" || transaction.tradeState === "REFUND")) {
        await recordPaid(deps, transaction, "query", `${order.outTradeNo}:${transaction.tradeState}:${transaction.transactionId ?? ""}`);
        return;
      }
      throw error;
    }
  }
  await markClosed(deps, order, "CLOSED");
}
