import { In } from "typeorm";
import { conflict, HttpError, notFound } from "../../http/errors";
import { newId } from "../../infra/ids";
import { PayApiError, type RefundResult } from "../../wechat/pay/payGateway";
import { recordAudit } from "../audit/audit";
import { lockingQuery, withTransaction } from "../conversations/db";
import { yuan } from "../water/tariff";
import type { PaymentsDeps } from "./deps";
import { newMerchantNumber } from "./numbers";
import { PayOrder, PayRefund, type PayRefundStatus } from "./payment.entity";

/**
 * Refunds, full or partial, requested by an admin. The refund row (with its out_refund_no) is written
 * before WeChat is asked, so a crash or a timeout retries the same refund rather than a second one.
 * WeChat's answer only means "accepted": the outcome arrives by the refund notify or the query job.
 * On success the order's refunded amount grows once (conditional update) and the billing system takes
 * the amount back from the account (recordRefund, idempotent per out_refund_no).
 */

/** WeChat allows at most 50 partial refunds per order. */
const MAX_REFUNDS_PER_ORDER = 50;
/** Refunds that hold part of the paid amount (a failed or closed one gives it back). */
const RESERVING: PayRefundStatus[] = ["requested", "processing", "success", "abnormal"];

export function presentRefund(refund: PayRefund) {
  return {
    id: refund.id,
    orderId: refund.orderId,
    outRefundNo: refund.outRefundNo,
    refundId: refund.refundId,
    amountFen: refund.amountFen,
    reason: refund.reason,
    status: refund.status,
    requestedBy: refund.requestedBy,
    error: refund.error,
    succeededAt: refund.succeededAt?.toISOString() ?? null,
    /** The billing system took the amount back from the account (or there was nothing to take back). */
    accountSettled: Boolean(refund.debitedAt),
    createdAt: refund.createdAt.toISOString(),
  };
}

export async function requestRefund(deps: PaymentsDeps, actor: { id: string; ip: string | null }, orderId: string, input: { amountFen: number; reason: string }) {
  if (!deps.pay) throw new HttpError(503, "pay_unavailable", "未开通微信支付");
  const now = deps.clock.now();
  const { order, refund } = await withTransaction(deps.dataSource, async (manager) => {
    const order = await lockingQuery(manager, PayOrder, "o").where("o.id = :id", { id: orderId }).getOne();
    if (!order) throw notFound("订单不存在");
    if (order.status !== "paid") throw conflict("not_paid", "只有已支付的订单可以退款");
    // A payment still owed to the account would be credited after the refund: refund once it is recorded.
    if (!order.creditedAt && !order.needsRefund) throw conflict("not_credited", "该订单尚未入账，请入账后再退款");
    const refunds = await manager.getRepository(PayRefund).find({ where: { orderId: order.id, status: In(RESERVING) } });
    if (refunds.length >= MAX_REFUNDS_PER_ORDER) throw conflict("too_many_refunds", `每笔订单最多退款 ${MAX_REFUNDS_PER_ORDER} 次`);
    const reserved = refunds.reduce((sum, refund) => sum + refund.amountFen, 0);
    if (input.amountFen > order.amountFen - reserved) {
      throw new HttpError(400, "refund_too_large", `退款金额超过可退金额（可退 ${yuan(order.amountFen - reserved)}）`);
    }
    const refund = manager.getRepository(PayRefund).create({
      id: newId(),
      orderId: order.id,
      outRefundNo: newMerchantNumber("RF", now),
      refundId: null,
      amountFen: input.amountFen,
      reason: input.reason,
      status: "requested",
      requestedBy: actor.id,
      error: null,
      succeededAt: null,
      debitedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    await manager.getRepository(PayRefund).insert(refund);
    await recordAudit(manager, deps.clock, {
      actorType: "agent",
      actorId: actor.id,
      action: "payment.refund",
      customerNumber: order.customerNumber,
      detail: { outTradeNo: order.outTradeNo, outRefundNo: refund.outRefundNo, amountFen: refund.amountFen, reason: refund.reason },
      ip: actor.ip,
    });
    return { order, refund };
  });
  await submitRefund(deps, order, refund);
  return presentRefund((await deps.dataSource.getRepository(PayRefund).findOneBy({ id: refund.id }))!);
}

/** Asks WeChat to refund (again, with the same out_refund_no, when an earlier try did not get through). */
export async function submitRefund(deps: PaymentsDeps, order: PayOrder, refund: PayRefund): Promise<void> {
  let result: RefundResult;
  try {
    result = await deps.pay!.gateway.refund({
      outTradeNo: order.outTradeNo,
      outRefundNo: refund.outRefundNo,
      refundFen: refund.amountFen,
      totalFen: order.amountFen,
      reason: refund.reason,
      notifyUrl: `${deps.publicUrl}/pay/refund-notify`,
    });
  } catch (error) {
    if (error instanceof PayApiError && !error.retryable) {
      deps.logger.error({ err: error, outRefundNo: refund.outRefundNo }, "WeChat Pay refused the refund");
      await deps.dataSource
        .getRepository(PayRefund)
        .update({ id: refund.id, status: "requested" }, { status: "failed", error: `${error.code}: ${error.message}`.slice(0, 200), updatedAt: deps.clock.now() });
      return;
    }
    // Timeout or outage: still "requested"; the job asks again with the same number.
    deps.logger.warn({ err: error, outRefundNo: refund.outRefundNo }, "refund request did not get through (will retry)");
    await deps.dataSource.getRepository(PayRefund).update({ id: refund.id }, { error: String((error as Error).message ?? error).slice(0, 200), updatedAt: deps.clock.now() });
    return;
  }
  await applyRefundResult(deps, refund.id, result);
}

const STATUS: Record<RefundResult["status"], PayRefundStatus> = { SUCCESS: "success", CLOSED: "closed", PROCESSING: "processing", ABNORMAL: "abnormal" };

/**
 * Records WeChat's word on a refund (its answer, a notify or a query). Success counts once; then the
 * account is debited. Returns false when the account debit failed (the job retries it).
 */
export async function applyRefundResult(deps: PaymentsDeps, refundId: string, result: RefundResult): Promise<boolean> {
  const status = STATUS[result.status];
  const now = deps.clock.now();
  if (status === "success") {
    await withTransaction(deps.dataSource, async (manager) => {
      const won = await manager
        .createQueryBuilder()
        .update(PayRefund)
        .set({ status: "success", refundId: result.refundId, succeededAt: result.successTime ?? now, error: null, updatedAt: now })
        .where("id = :id AND status IN (:...open)", { id: refundId, open: ["requested", "processing", "abnormal"] })
        .execute();
      if (!won.affected) return;
      const refund = await manager.getRepository(PayRefund).findOneByOrFail({ id: refundId });
      await manager
        .createQueryBuilder()
        .update(PayOrder)
        .set({ refundedFen: () => `refunded_fen + ${Number(refund.amountFen)}`, updatedAt: now })
        .where("id = :id", { id: refund.orderId })
        .execute();
    });
    return debitRefund(deps, refundId);
  }
  if (status !== "processing" || result.refundId) {
    await deps.dataSource
      .getRepository(PayRefund)
      .createQueryBuilder()
      .update(PayRefund)
      .set({ status, refundId: result.refundId, updatedAt: now })
      .where("id = :id AND status IN (:...open)", { id: refundId, open: ["requested", "processing", "abnormal"] })
      .execute();
  }
  return true;
}

/** Takes a successful refund back from the account once (nothing to take back for fees or never-credited orders). */
export async function debitRefund(deps: PaymentsDeps, refundId: string): Promise<boolean> {
  const repository = deps.dataSource.getRepository(PayRefund);
  const refund = await repository.findOneBy({ id: refundId });
  if (!refund || refund.status !== "success" || refund.debitedAt) return true;
  const order = await deps.dataSource.getRepository(PayOrder).findOneByOrFail({ id: refund.orderId });
  try {
    if (order.purpose !== "application" && order.creditedAt && order.customerNumber) {
      await deps.billing.recordRefund(order.customerNumber, { refundRef: refund.outRefundNo, paymentRef: order.outTradeNo, amountFen: refund.amountFen, refundedAt: refund.succeededAt ?? deps.clock.now() });
    }
    await repository.createQueryBuilder().update(PayRefund).set({ debitedAt: deps.clock.now(), updatedAt: deps.clock.now() }).where("id = :id AND debited_at IS NULL", { id: refund.id }).execute();
    return true;
  } catch (error) {
    deps.logger.error({ err: error, outRefundNo: refund.outRefundNo }, "refund succeeded but the account was not debited yet (will retry)");
    await repository.update({ id: refund.id }, { error: String((error as Error).message ?? error).slice(0, 200), updatedAt: deps.clock.now() }).catch(() => undefined);
    return false;
  }
}
