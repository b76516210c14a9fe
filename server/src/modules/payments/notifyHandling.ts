import { toPayTransaction, toRefundResult, type RefundResource, type TransactionResource, type VerifiedNotification } from "../../wechat/pay/notifications";
import type { PaymentsDeps } from "./deps";
import { PayOrder, PayRefund } from "./payment.entity";
import { applyRefundResult } from "./refunds";
import { recordAnomaly, recordPaid } from "./settlement";

/**
 * What a verified, decrypted WeChat Pay notification does. The answer tells the route whether WeChat
 * must retry: only when something we must do could not be done yet (the credit failed). A verified
 * notification we refuse to act on (unknown order, wrong amount, other merchant) is stored as an anomaly
 * and acknowledged: it is WeChat's signed word, retrying it cannot make it right, and an admin sees it.
 */
export type NotifyAnswer = "ack" | "retry";

export async function handlePaymentNotification(deps: PaymentsDeps, notification: VerifiedNotification<TransactionResource>): Promise<NotifyAnswer> {
  if (notification.eventType !== "TRANSACTION.SUCCESS") {
    deps.logger.info({ eventType: notification.eventType, id: notification.id }, "pay notify: event ignored");
    return "ack";
  }
  const transaction = toPayTransaction(notification.resource);
  if (transaction.tradeState !== "SUCCESS") {
    deps.logger.warn({ id: notification.id, tradeState: transaction.tradeState, outTradeNo: transaction.outTradeNo }, "pay notify: TRANSACTION.SUCCESS without trade_state SUCCESS ignored");
    return "ack";
  }
  const outcome = await recordPaid(deps, transaction, "notify", notification.id);
  return outcome === "credit_failed" ? "retry" : "ack";
}

export async function handleRefundNotification(deps: PaymentsDeps, notification: VerifiedNotification<RefundResource>): Promise<NotifyAnswer> {
  if (!notification.eventType.startsWith("REFUND.")) {
    deps.logger.info({ eventType: notification.eventType, id: notification.id }, "refund notify: event ignored");
    return "ack";
  }
  const result = toRefundResult(notification.resource);
  const refund = await deps.dataSource.getRepository(PayRefund).findOneBy({ outRefundNo: result.outRefundNo });
  const order = refund ? await deps.dataSource.getRepository(PayOrder).findOneBy({ id: refund.orderId }) : null;
  const resource = notification.resource;
  const detail = { eventType: notification.eventType, outRefundNo: result.outRefundNo, outTradeNo: result.outTradeNo, mchid: resource.mchid, refundFen: result.refundFen, status: result.status };
  if (!refund || !order || order.outTradeNo !== result.outTradeNo || resource.mchid !== deps.pay!.gateway.mchId || result.refundFen !== refund.amountFen) {
    await recordAnomaly(deps, { kind: "unknown_refund", source: "refund-notify", dedupeKey: `refund-notify:${notification.id}`, outTradeNo: result.outTradeNo, orderId: order?.id ?? null, detail });
    return "ack";
  }
  if (result.status === "ABNORMAL") {
    await recordAnomaly(deps, { kind: "refund_abnormal", source: "refund-notify", dedupeKey: `refund_abnormal:${refund.id}`, outTradeNo: order.outTradeNo, orderId: order.id, detail });
  }
  return (await applyRefundResult(deps, refund.id, result)) ? "ack" : "retry";
}
