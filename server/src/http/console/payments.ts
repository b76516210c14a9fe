import Router from "@koa/router";
import { z } from "zod";
import { dailyTotals, listAnomalies, listReconciliations, orderDetail, reconciliationOf, searchOrders } from "../../modules/payments/admin";
import type { PaymentsDeps } from "../../modules/payments/deps";
import { addDays, chinaDate, chinaDayRange, isCalendarDay } from "../../modules/payments/numbers";
import { reconcileDay } from "../../modules/payments/reconciliation";
import { requestRefund } from "../../modules/payments/refunds";
import { BillingUnavailableError } from "../../modules/water/billingGateway";
import { PayApiError } from "../../wechat/pay/payGateway";
import { HttpError, notFound } from "../errors";
import { requireAgent, type ConsoleState } from "./auth";
import { idParam, parseBody, parseInput, words } from "./authInput";

/**
 * Staff: payments. Supervisors and admins read (the list, an order, per-day totals, anomalies,
 * reconciliation reports: they answer fans' "I paid but…" calls); only admins refund and run a
 * reconciliation. Agents get 403. docs/api/payments.md.
 */

const day = (label: string) => z.string().refine(isCalendarDay, { message: `${label}格式为 YYYY-MM-DD` });
const cursor = z.string().regex(/^[0-9a-f-]{36}$/, { message: "翻页参数不正确" });
const ordersQuery = z.object({
  status: z.enum(["pending", "paid", "closed"], { message: "状态只能是 pending / paid / closed" }).optional(),
  purpose: z.enum(["bill", "topup", "application"], { message: "类型只能是 bill / topup / application" }).optional(),
  from: day("开始日期").optional(),
  to: day("结束日期").optional(),
  customerNumber: z.string().trim().max(32, { message: "户号最多 32 位" }).optional(),
  outTradeNo: z.string().trim().max(32, { message: "商户订单号最多 32 位" }).optional(),
  attention: z.enum(["1", "true"]).optional(),
  before: cursor.optional(),
  limit: z.coerce.number().int().min(1, { message: "每页条数为 1–200" }).max(200, { message: "每页条数为 1–200" }).default(50),
});
const dailyQuery = z.object({ from: day("开始日期").optional(), to: day("结束日期").optional() });
const pageQuery = z.object({ before: cursor.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });
const refundBody = z.object({
  amountFen: z.number({ error: "请填写退款金额" }).int({ message: "金额须为整数分" }).positive({ message: "退款金额须大于 0" }),
  reason: words("退款原因", 80),
});
const reconcileBody = z.object({ date: day("对账日期") });
const fen = (label: string) => z.number({ error: `请填写${label}` }).int({ message: `${label}须为整数分` });
const settingsBody = z
  .object({
    expiryMinutes: z.number({ error: "请填写支付时限" }).int({ message: "支付时限须为整数分钟" }).min(5, { message: "支付时限为 5–120 分钟" }).max(120, { message: "支付时限为 5–120 分钟" }),
    topupMinFen: fen("最低预存金额").min(1, { message: "最低预存金额须大于 0" }),
    topupMaxFen: fen("最高预存金额").max(10_000_000, { message: "最高预存金额不能超过 10 万元" }),
    reconcileEnabled: z.boolean({ error: "请选择是否自动对账" }),
  })
  .refine((value) => value.topupMinFen <= value.topupMaxFen, { message: "最低预存金额不能高于最高预存金额", path: ["topupMinFen"] });

/** Query strings as the schemas want them: one value per key, empty = absent. */
function queryOf(query: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(query).map(([key, value]) => [key, (Array.isArray(value) ? value[0] : value) || undefined]));
}

const MAX_DAILY_RANGE = 92;

export function createConsolePaymentsRouter(deps: PaymentsDeps & { sessions: Parameters<typeof requireAgent>[0]["sessions"] }): Router<ConsoleState> {
  const router = new Router<ConsoleState>({ prefix: "/api/console/payments" });
  const asReader = requireAgent(deps, "supervisor");
  const asAdmin = requireAgent(deps, "admin");

  router.get("/orders", asReader, async (ctx) => {
    const query = parseInput(ordersQuery, queryOf(ctx.query));
    ctx.body = await searchOrders(deps, { ...query, attention: Boolean(query.attention) });
  });

  router.get("/orders/:id", asReader, async (ctx) => {
    ctx.body = await orderDetail(deps, idParam(ctx.params.id, "订单不存在"));
  });

  router.post("/orders/:id/refunds", asAdmin, async (ctx) => {
    const orderId = idParam(ctx.params.id, "订单不存在");
    const body = await parseBody(ctx, refundBody);
    ctx.status = 201;
    ctx.body = { refund: await requestRefund(deps, { id: ctx.state.actor.id, ip: ctx.ip || null }, orderId, body) };
  });

  router.get("/daily", asReader, async (ctx) => {
    const query = parseInput(dailyQuery, queryOf(ctx.query));
    const to = query.to ?? chinaDate(deps.clock.now());
    const from = query.from ?? addDays(to, -29);
    if (from > to) throw new HttpError(400, "invalid_input", "开始日期不能晚于结束日期");
    if ((chinaDayRange(to).start.getTime() - chinaDayRange(from).start.getTime()) / 86_400_000 >= MAX_DAILY_RANGE) throw new HttpError(400, "invalid_input", `日期范围最多 ${MAX_DAILY_RANGE} 天`);
    ctx.body = { from, to, ...(await dailyTotals(deps, from, to)) };
  });

  router.get("/anomalies", asReader, async (ctx) => {
    ctx.body = await listAnomalies(deps, parseInput(pageQuery, queryOf(ctx.query)));
  });

  router.get("/reconciliations", asReader, async (ctx) => {
    ctx.body = await listReconciliations(deps, 90);
  });

  router.get("/reconciliations/:date", asReader, async (ctx) => {
    if (!isCalendarDay(ctx.params.date)) throw notFound("该日尚未对账");
    ctx.body = await reconciliationOf(deps, ctx.params.date);
  });

  router.post("/reconciliations", asAdmin, async (ctx) => {
    const { date } = await parseBody(ctx, reconcileBody);
    if (!deps.pay) throw new HttpError(503, "pay_unavailable", "未开通微信支付");
    if (date >= chinaDate(deps.clock.now())) throw new HttpError(400, "invalid_input", "只能对今天以前的日期对账");
    try {
      ctx.body = { reconciliation: await reconcileDay(deps, date, ctx.state.actor.id, ctx.ip || null) };
    } catch (error) {
      if (error instanceof PayApiError) throw new HttpError(502, "pay_api_error", `下载微信支付对账单失败：${error.message}`);
      if (error instanceof BillingUnavailableError) throw new HttpError(503, "billing_unavailable", "账务系统暂时不可用，请稍后再试");
      throw error;
    }
  });

  router.get("/settings", asReader, async (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.body = await readPaymentSettings(deps);
  });

  router.put("/settings", asAdmin, async (ctx) => {
    const input = await parseBody(ctx, settingsBody);
    await deps.settings.set("payments.order.expiryMinutes", input.expiryMinutes);
    await deps.settings.set("payments.topup.minFen", input.topupMinFen);
    await deps.settings.set("payments.topup.maxFen", input.topupMaxFen);
    await deps.settings.set("payments.reconcile.enabled", input.reconcileEnabled);
    ctx.body = await readPaymentSettings(deps);
  });

  return router;
}

async function readPaymentSettings(deps: PaymentsDeps) {
  return {
    expiryMinutes: await deps.settings.get("payments.order.expiryMinutes"),
    topupMinFen: await deps.settings.get("payments.topup.minFen"),
    topupMaxFen: await deps.settings.get("payments.topup.maxFen"),
    reconcileEnabled: await deps.settings.get("payments.reconcile.enabled"),
    /** WeChat Pay is configured (or the sandbox stands in for it). */
    payEnabled: Boolean(deps.pay),
    sandbox: deps.sandbox,
  };
}
