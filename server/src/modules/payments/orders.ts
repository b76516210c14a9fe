import { LessThan } from "typeorm";
import { conflict, HttpError, notFound } from "../../http/errors";
import { keysetPage } from "../../infra/db/keysetPage";
import { newId } from "../../infra/ids";
import { PayApiError, type JsapiPayParams } from "../../wechat/pay/payGateway";
import { recordAudit } from "../audit/audit";
import { isDuplicateKey } from "../conversations/db";
import { requireBinding, type FanRequest } from "../water/accounts";
import { MONTH_PATTERN, monthLabel, yuan } from "../water/tariff";
import type { PaymentsDeps } from "./deps";
import { newMerchantNumber } from "./numbers";
import { PayOrder, type PayPurpose } from "./payment.entity";
import { closeAtWechat, syncOrder } from "./settlement";

/**
 * Creating orders for fans (a bill, a top-up, an application fee) and what fans see of them. The amount
 * always comes from our side (the bill, the application), never from the page, except a top-up's amount,
 * which must lie within the configured limits.
 */

export type OrderInput =
  | { purpose: "bill"; accountId: string; month: string }
  | { purpose: "topup"; accountId: string; amountFen: number }
  | { purpose: "application"; applicationId: string };

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An order left with less than this to run is not handed out again: a new one is opened instead. */
const REUSE_MARGIN_MS = 2 * 60_000;
/** New orders a fan may open per window (reused ones don't count). */
const NEW_ORDERS_PER_FAN = 20;
const NEW_ORDERS_WINDOW_MS = 10 * 60_000;
/** Bill months looked at when a bill is paid (older unpaid months are paid with it, oldest first). */
const BILL_LOOKBACK_MONTHS = 60;
/** While pending, the fan's status poll asks WeChat itself at most this often per order. */
const STATUS_QUERY_AFTER_MS = 5_000;
const STATUS_QUERY_EVERY_MS = 5_000;

export const payUnavailable = () => new HttpError(503, "pay_unavailable", "暂未开通微信支付，请稍后再试");

export function presentFanOrder(order: PayOrder) {
  return {
    id: order.id,
    outTradeNo: order.outTradeNo,
    purpose: order.purpose,
    description: order.description,
    amountFen: order.amountFen,
    status: order.status,
    customerNumber: order.customerNumber,
    accountId: order.bindingId,
    billMonth: order.billMonth,
    billMonths: order.billMonths ?? [],
    applicationId: order.applicationId,
    /** The account has been credited (or the application marked paid). */
    credited: Boolean(order.creditedAt),
    refundedFen: order.refundedFen,
    createdAt: order.createdAt.toISOString(),
    expiresAt: order.expiresAt.toISOString(),
    paidAt: order.paidAt?.toISOString() ?? null,
  };
}

interface Quote {
  purpose: PayPurpose;
  amountFen: number;
  description: string;
  bindingId: string | null;
  customerNumber: string | null;
  billMonth: string | null;
  billMonths: string[] | null;
  applicationId: string | null;
  /** Pending orders for the same thing are reused; null = always a new order (top-ups). */
  openKey: string | null;
}

/**
 * What paying a bill month costs: that month and every older unpaid month (the billing system settles
 * the oldest first, so paying only the chosen month would settle an older one instead).
 */
export async function quoteBill(deps: PaymentsDeps, openid: string, accountId: string | undefined, month: string | undefined) {
  const binding = await requireBinding(deps.water, openid, accountId);
  if (!month || !MONTH_PATTERN.test(month)) throw notFound("该月账单不存在");
  const bills = await deps.billing.bills(binding.customerNumber, BILL_LOOKBACK_MONTHS);
  const bill = bills.find((candidate) => candidate.month === month);
  if (!bill) throw notFound("该月账单不存在");
  if (bill.status === "paid") throw conflict("bill_paid", "该月账单已缴清");
  const unpaid = bills.filter((candidate) => candidate.status === "unpaid" && candidate.month <= month).sort((a, b) => a.month.localeCompare(b.month));
  const months = unpaid.map((candidate) => candidate.month);
  // Paid at WeChat but not yet credited (billing system down): the bill still reads unpaid; don't take the money twice.
  const inFlight = await deps.dataSource.getRepository(PayOrder).find({ where: { customerNumber: binding.customerNumber, purpose: "bill", status: "paid" } });
  if (inFlight.some((order) => !order.creditedAt && !order.needsRefund && (order.billMonths ?? []).some((paid) => months.includes(paid)))) {
    throw conflict("bill_paying", "该账单已支付，正在入账，请稍后查看");
  }
  return {
    binding,
    amountFen: unpaid.reduce((sum, candidate) => sum + candidate.amountFen, 0),
    months,
    bills: unpaid.map((candidate) => ({ month: candidate.month, monthLabel: monthLabel(candidate.month), amountFen: candidate.amountFen })),
  };
}

export async function quoteApplication(deps: PaymentsDeps, openid: string, applicationId: string | undefined) {
  if (!applicationId || !ID.test(applicationId)) throw notFound("申请不存在");
  const fees = deps.applicationFees();
  if (!fees) throw new HttpError(503, "fees_unavailable", "业务办理缴费暂不可用，请稍后再试");
  const fee = await fees.feeFor(openid, applicationId);
  const open = await deps.dataSource.getRepository(PayOrder).findOneBy({ applicationId, fanOpenid: openid, status: "paid" });
  return { applicationId, amountFen: fee.amountFen, description: fee.description, customerNumber: fee.customerNumber, paid: Boolean(open) };
}

async function quote(deps: PaymentsDeps, request: FanRequest, input: OrderInput): Promise<Quote> {
  if (input.purpose === "bill") {
    const { binding, amountFen, months } = await quoteBill(deps, request.openid, input.accountId, input.month);
    const label = months.length > 1 ? `${monthLabel(months[0])}至${monthLabel(input.month)}` : monthLabel(input.month);
    return {
      purpose: "bill",
      amountFen,
      description: `水费 户号${binding.customerNumber} ${label}`,
      bindingId: binding.id,
      customerNumber: binding.customerNumber,
      billMonth: input.month,
      billMonths: months,
      applicationId: null,
      openKey: `bill:${request.openid}:${binding.customerNumber}:${input.month}`,
    };
  }
  if (input.purpose === "topup") {
    const binding = await requireBinding(deps.water, request.openid, input.accountId);
    const [minFen, maxFen] = await Promise.all([deps.settings.get("payments.topup.minFen"), deps.settings.get("payments.topup.maxFen")]);
    if (!Number.isSafeInteger(input.amountFen) || input.amountFen < minFen || input.amountFen > maxFen) {
      throw new HttpError(400, "invalid_amount", `预存金额须在 ${yuan(minFen)} 至 ${yuan(maxFen)} 之间`);
    }
    return {
      purpose: "topup",
      amountFen: input.amountFen,
      description: `水费预存 户号${binding.customerNumber}`,
      bindingId: binding.id,
      customerNumber: binding.customerNumber,
      billMonth: null,
      billMonths: null,
      applicationId: null,
      openKey: null,
    };
  }
  const fees = deps.applicationFees();
  if (!fees) throw new HttpError(503, "fees_unavailable", "业务办理缴费暂不可用，请稍后再试");
  const fee = await fees.feeFor(request.openid, input.applicationId);
  if (await deps.dataSource.getRepository(PayOrder).existsBy({ applicationId: input.applicationId, status: "paid" })) throw conflict("already_paid", "该申请的费用已支付");
  if (!Number.isSafeInteger(fee.amountFen) || fee.amountFen <= 0) throw conflict("nothing_to_pay", "该申请无需缴费");
  return {
    purpose: "application",
    amountFen: fee.amountFen,
    description: fee.description.slice(0, 40),
    bindingId: null,
    customerNumber: fee.customerNumber,
    billMonth: null,
    billMonths: null,
    applicationId: input.applicationId,
    openKey: `application:${input.applicationId}`,
  };
}

/** Opens (or reuses) an order and asks WeChat Pay for the page's JSAPI parameters. */
export async function createOrder(deps: PaymentsDeps, request: FanRequest, input: OrderInput): Promise<{ order: ReturnType<typeof presentFanOrder>; payParams: JsapiPayParams; sandbox: boolean }> {
  if (!deps.pay) throw payUnavailable();
  const wanted = await quote(deps, request, input);
  const repository = deps.dataSource.getRepository(PayOrder);
  const now = deps.clock.now();

  let order: PayOrder | null = null;
  if (wanted.openKey) {
    const open = await repository.findOneBy({ openKey: wanted.openKey });
    if (open) {
      // Same amount and enough time left: the same out_trade_no again (WeChat hands out a fresh prepay_id).
      if (open.amountFen === wanted.amountFen && open.expiresAt.getTime() - now.getTime() > REUSE_MARGIN_MS) order = open;
      else {
        await closeAtWechat(deps, open).catch((error) => Promise.reject(unavailable(error)));
        // Closing found it paid after all: that payment covers it.
        if ((await repository.findOneBy({ id: open.id }))?.status === "paid") throw conflict("bill_paying", "该账单已支付，正在入账，请稍后查看");
      }
    }
  }
  if (!order) {
    // Every new order is a call to WeChat: a tapping loop or a script gets a clear answer instead.
    if ((await deps.kv.increment(`payments:orders:fan:${request.openid}`, 1, NEW_ORDERS_WINDOW_MS)) > NEW_ORDERS_PER_FAN) {
      throw new HttpError(429, "too_many_orders", "下单过于频繁，请稍后再试");
    }
    const expiryMinutes = await deps.settings.get("payments.order.expiryMinutes");
    order = repository.create({
      id: newId(),
      outTradeNo: newMerchantNumber("SW", now),
      ...wanted,
      fanOpenid: request.openid,
      status: "pending",
      tradeState: null,
      transactionId: null,
      expiresAt: new Date(now.getTime() + Math.max(2, expiryMinutes) * 60_000),
      paidAt: null,
      paidVia: null,
      closedAt: null,
      creditedAt: null,
      creditAttempts: 0,
      creditError: null,
      settledMonths: null,
      needsRefund: false,
      refundedFen: 0,
      lastQueriedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    try {
      // Stored before WeChat hears of it: a notification can never arrive for an order we don't know.
      await repository.insert(order);
    } catch (error) {
      if (!isDuplicateKey(error) || !wanted.openKey) throw error;
      // A second tap opened the same order a moment ago: use that one.
      order = await repository.findOneBy({ openKey: wanted.openKey });
      if (!order) throw conflict("order_busy", "订单正在处理，请稍后再试");
    }
    await recordAudit(deps.dataSource, deps.clock, {
      actorType: "fan",
      actorId: request.openid,
      action: "payment.order",
      customerNumber: order.customerNumber,
      detail: { outTradeNo: order.outTradeNo, purpose: order.purpose, amountFen: order.amountFen, billMonths: order.billMonths, applicationId: order.applicationId },
      ip: request.ip,
    });
  }

  let payParams: JsapiPayParams;
  try {
    payParams = await deps.pay.gateway.createJsapiOrder({
      outTradeNo: order.outTradeNo,
      description: order.description,
      amountFen: order.amountFen,
      payerOpenid: request.openid,
      expiresAt: order.expiresAt,
      attach: order.purpose,
      notifyUrl: `${deps.publicUrl}/pay/notify`,
    });
  } catch (error) {
    if (error instanceof PayApiError && !error.retryable) {
      // WeChat refused this order for good: close it here so it is not handed out again.
      deps.logger.error({ err: error, outTradeNo: order.outTradeNo }, "WeChat Pay refused the order");
      await repository.update({ id: order.id, status: "pending" }, { status: "closed", closedAt: deps.clock.now(), openKey: null, tradeState: error.code, updatedAt: deps.clock.now() });
      throw new HttpError(502, "pay_rejected", "微信支付下单失败，请稍后重试");
    }
    throw unavailable(error);
  }
  return { order: presentFanOrder(order), payParams, sandbox: deps.sandbox };
}

function unavailable(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  return new HttpError(503, "pay_unavailable", "微信支付暂时不可用，请稍后再试");
}

/** The fan's own order; anything else is 404. */
async function fanOrder(deps: PaymentsDeps, openid: string, id: string | undefined): Promise<PayOrder> {
  if (!id || !ID.test(id)) throw notFound("订单不存在");
  const order = await deps.dataSource.getRepository(PayOrder).findOneBy({ id, fanOpenid: openid });
  if (!order) throw notFound("订单不存在");
  return order;
}

/**
 * The page polls this after the WeChat cashier closes (its own "ok" proves nothing). While the order is
 * pending and no notification came, this asks WeChat itself, at most every few seconds per order.
 */
export async function orderStatus(deps: PaymentsDeps, openid: string, id: string | undefined) {
  let order = await fanOrder(deps, openid, id);
  const now = deps.clock.now();
  if (order.status === "pending" && deps.pay && now.getTime() - order.createdAt.getTime() >= STATUS_QUERY_AFTER_MS) {
    if (await deps.kv.setIfAbsent(`payments:status-query:${order.id}`, "1", STATUS_QUERY_EVERY_MS)) {
      try {
        await syncOrder(deps, order);
      } catch (error) {
        deps.logger.warn({ err: error, outTradeNo: order.outTradeNo }, "order query from the status poll failed");
      }
      order = await fanOrder(deps, openid, id);
    }
  }
  return { order: presentFanOrder(order) };
}

/** The fan's payments, newest first, paged by `before` (an order id). */
export async function fanPayments(deps: PaymentsDeps, openid: string, options: { before?: string; limit: number }) {
  const where = { fanOpenid: openid, ...(options.before && ID.test(options.before) ? { id: LessThan(options.before) } : {}) };
  const rows = await deps.dataSource.getRepository(PayOrder).find({ where, order: { id: "DESC" }, take: options.limit + 1 });
  const { page, nextBefore } = keysetPage(rows, options.limit);
  return { orders: page.map(presentFanOrder), nextBefore };
}

/** What the pay pages need to know up front. */
export async function paymentOptions(deps: PaymentsDeps) {
  const [topupMinFen, topupMaxFen, expiryMinutes] = await Promise.all([
    deps.settings.get("payments.topup.minFen"),
    deps.settings.get("payments.topup.maxFen"),
    deps.settings.get("payments.order.expiryMinutes"),
  ]);
  return { enabled: Boolean(deps.pay), sandbox: deps.sandbox, topupMinFen, topupMaxFen, expiryMinutes };
}
