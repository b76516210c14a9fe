import Router from "@koa/router";
import { z } from "zod";
import type { PaymentsDeps } from "../../modules/payments/deps";
import { createOrder, fanPayments, orderStatus, paymentOptions, quoteApplication, quoteBill } from "../../modules/payments/orders";
import { parseBody, parseInput } from "../console/authInput";
import { billingErrors } from "./billingErrors";
import { fanOf, requireFan } from "./fanAuth";

/**
 * The fan's payments (H5 pay pages, later the mini program): open an order and get the JSAPI parameters,
 * poll its status (the page never trusts the cashier's own "ok"), and the payment history. Every route
 * needs the fan session; orders and accounts are loaded with the fan's openid (another fan's id is 404).
 * docs/api/payments.md.
 */

const id = z.string({ error: "缺少编号" }).regex(/^[0-9a-f-]{36}$/, { message: "编号不正确" });
const orderBody = z.discriminatedUnion(
  "purpose",
  [
    z.object({ purpose: z.literal("bill"), accountId: id, month: z.string({ error: "请选择账单月份" }).regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: "账单月份格式为 YYYY-MM" }) }),
    z.object({ purpose: z.literal("topup"), accountId: id, amountFen: z.number({ error: "请填写预存金额" }).int({ message: "金额须为整数分" }).positive({ message: "金额须大于 0" }) }),
    z.object({ purpose: z.literal("application"), applicationId: id }),
  ],
  { error: "请选择缴费类型（bill / topup / application）" },
);
const historyQuery = z.object({
  before: z.string().regex(/^[0-9a-f-]{36}$/, { message: "翻页参数不正确" }).optional(),
  limit: z.coerce.number().int().min(1, { message: "每页条数为 1–50" }).max(50, { message: "每页条数为 1–50" }).default(20),
});

export function createFanPaymentsRouter(deps: PaymentsDeps): Router {
  const router = new Router({ prefix: "/api/fan/payments" });
  const fan = requireFan(deps.water.fanSessions);
  router.use(billingErrors);

  router.get("/options", fan, async (ctx) => {
    ctx.body = await paymentOptions(deps);
  });

  // What paying a month costs (that month and older unpaid ones), computed here: the page only shows it.
  router.get("/bills/:accountId/:month", fan, async (ctx) => {
    const quote = await quoteBill(deps, fanOf(ctx).openid, ctx.params.accountId, ctx.params.month);
    ctx.body = { accountId: quote.binding.id, customerNumber: quote.binding.customerNumber, address: quote.binding.address, amountFen: quote.amountFen, months: quote.months, bills: quote.bills };
  });

  // An application's fee as the applications module states it (the order uses the same figure).
  router.get("/applications/:id", fan, async (ctx) => {
    ctx.body = await quoteApplication(deps, fanOf(ctx).openid, ctx.params.id);
  });

  router.post("/orders", fan, async (ctx) => {
    const body = await parseBody(ctx, orderBody);
    ctx.status = 201;
    ctx.body = await createOrder(deps, fanOf(ctx), body);
  });

  router.get("/orders/:id", fan, async (ctx) => {
    ctx.body = await orderStatus(deps, fanOf(ctx).openid, ctx.params.id);
  });

  router.get("/", fan, async (ctx) => {
    const query = parseInput(historyQuery, { before: ctx.query.before || undefined, limit: ctx.query.limit || undefined });
    ctx.body = await fanPayments(deps, fanOf(ctx).openid, query);
  });

  return router;
}
