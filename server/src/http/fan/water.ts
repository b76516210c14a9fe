import Router from "@koa/router";
import { z } from "zod";
import { accountBill, accountBills, bindAccount, listAccounts, setSubscriptions, unbindAccount } from "../../modules/water/accounts";
import type { WaterDeps } from "../../modules/water/deps";
import { fanPhoneView, verifyFanPhone } from "../../modules/water/phones";
import { PHONE_PATTERN } from "../../modules/water/sms";
import { parseBody, parseInput, words } from "../console/authInput";
import { billingErrors } from "./billingErrors";
import { fanOf, requireFan } from "./fanAuth";

/**
 * The fan-facing water API (H5 pages, later the mini program). Every route needs the fan session; every
 * account route loads the binding by id and the fan's openid (another fan's id is 404). docs/api/fan-water.md.
 */

const phone = z.string({ error: "请填写手机号" }).trim().regex(PHONE_PATTERN, { message: "请填写正确的 11 位手机号" });
const smsCodeBody = z.object({ phone });
const phoneBody = z.object({ phone, code: z.string({ error: "请填写验证码" }).trim().regex(/^\d{6}$/, { message: "验证码是 6 位数字" }) });
const bindBody = z.object({
  customerNumber: z.string({ error: "请填写户号" }).trim().regex(/^[A-Za-z0-9-]{4,32}$/, { message: "户号由 4–32 位数字或字母组成" }),
  ownerName: words("户主姓名", 50),
  queryPassword: z.string({ error: "请填写查询密码" }).min(1, { message: "请填写查询密码" }).max(64, { message: "查询密码最多 64 位" }),
});
const billsQuery = z.object({ months: z.coerce.number({ error: "月数必须是数字" }).int().min(1, { message: "月数为 1–60" }).max(60, { message: "月数为 1–60" }).default(36) });
const subscriptionsBody = z.object({ accountIds: z.array(z.string(), { error: "请提供要订阅的户号列表" }).max(50) });

export function createFanWaterRouter(deps: WaterDeps): Router {
  const router = new Router({ prefix: "/api/fan" });
  const fan = requireFan(deps.fanSessions);
  router.use(billingErrors);

  router.get("/me", fan, async (ctx) => {
    const { openid } = fanOf(ctx);
    ctx.body = { openid, phone: await fanPhoneView(deps, openid), sandbox: deps.sandbox };
  });

  router.post("/sms-code", fan, async (ctx) => {
    const body = await parseBody(ctx, smsCodeBody);
    ctx.body = await deps.sms.sendCode(fanOf(ctx).openid, body.phone);
  });

  router.post("/phone", fan, async (ctx) => {
    const body = await parseBody(ctx, phoneBody);
    ctx.body = await verifyFanPhone(deps, fanOf(ctx).openid, body.phone, body.code);
  });

  router.get("/accounts", fan, async (ctx) => {
    ctx.body = { accounts: await listAccounts(deps, fanOf(ctx)) };
  });

  router.post("/accounts", fan, async (ctx) => {
    const body = await parseBody(ctx, bindBody);
    ctx.status = 201;
    ctx.body = { account: await bindAccount(deps, fanOf(ctx), body) };
  });

  router.delete("/accounts/:id", fan, async (ctx) => {
    await unbindAccount(deps, fanOf(ctx), ctx.params.id);
    ctx.status = 204;
  });

  router.get("/accounts/:id/bills", fan, async (ctx) => {
    const { months } = parseInput(billsQuery, { months: typeof ctx.query.months === "string" && ctx.query.months !== "" ? ctx.query.months : undefined });
    ctx.body = await accountBills(deps, fanOf(ctx), ctx.params.id, months);
  });

  router.get("/accounts/:id/bills/:month", fan, async (ctx) => {
    ctx.body = await accountBill(deps, fanOf(ctx), ctx.params.id, ctx.params.month);
  });

  router.put("/subscriptions", fan, async (ctx) => {
    const body = await parseBody(ctx, subscriptionsBody);
    ctx.body = { accounts: await setSubscriptions(deps, fanOf(ctx).openid, body.accountIds) };
  });

  return router;
}
