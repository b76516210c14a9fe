import { chinaDate } from "../src/modules/payments/numbers";
import { DEMO_WATER_ACCOUNTS } from "../src/modules/water/demoWater";
import { api, eventually, makeAgent } from "./conversationsHelpers";
import { fakePay, notification, orderFor, payingFan, payments, postNotification, rows } from "./paymentsHelpers";
import { startWaterHarness, water, type WaterHarness } from "./waterHelpers";

/** Staff: role checks, refunds (partial, full, their notify, the account debit), daily totals, reconciliation. */
describe("payments: admin list, refunds and reconciliation (MariaDB + Redis)", () => {
  let h: WaterHarness;
  let admin: { cookie: string; id: string };
  let supervisor: { cookie: string };
  let agent: { cookie: string };
  const [zhang, , , chen] = DEMO_WATER_ACCOUNTS;

  beforeAll(async () => {
    h = await startWaterHarness("payadmin");
    admin = await makeAgent(h.server, { role: "admin" });
    supervisor = await makeAgent(h.server, { role: "supervisor" });
    agent = await makeAgent(h.server, { role: "agent" });
  });
  afterAll(async () => {
    await h?.close();
  });

  const server = () => h.server;

  /** A bill order paid through the sandbox's confirm endpoint (the fake's real notification). */
  async function paidBill(account: { customerNumber: string; ownerName: string }, label: string) {
    const fan = await payingFan(server(), account, label);
    const [latest] = await water(server()).gateway.bills(account.customerNumber, 1);
    const created = await orderFor(server(), fan.cookie, { purpose: "bill", accountId: fan.accountId, month: latest.month });
    await fakePay(server()).payOrder({ outTradeNo: created.body.order.outTradeNo });
    await eventually(async () => (await rows(server(), "SELECT credited_at FROM pay_order WHERE id = ?", [created.body.order.id]))[0].credited_at !== null);
    return { fan, order: created.body.order as { id: string; outTradeNo: string; amountFen: number }, month: latest.month };
  }

  async function paidTopup(account: { customerNumber: string; ownerName: string }, label: string, amountFen: number) {
    const fan = await payingFan(server(), account, label);
    const created = await orderFor(server(), fan.cookie, { purpose: "topup", accountId: fan.accountId, amountFen });
    await fakePay(server()).payOrder({ outTradeNo: created.body.order.outTradeNo });
    await eventually(async () => (await rows(server(), "SELECT credited_at FROM pay_order WHERE id = ?", [created.body.order.id]))[0].credited_at !== null);
    return { fan, order: created.body.order as { id: string; outTradeNo: string; amountFen: number } };
  }

  it("lets supervisors and admins read, only admins refund or reconcile, agents and strangers nothing", async () => {
    const { order } = await paidBill(zhang, "Roles");
    const path = `/api/console/payments/orders/${order.id}`;
    expect((await api(server(), "GET", "/api/console/payments/orders")).status).toBe(401);
    expect((await api(server(), "GET", "/api/console/payments/orders", { cookie: agent.cookie })).status).toBe(403);
    expect((await api(server(), "GET", path, { cookie: agent.cookie })).status).toBe(403);
    expect((await api(server(), "GET", "/api/console/payments/daily", { cookie: agent.cookie })).status).toBe(403);
    expect((await api(server(), "GET", path, { cookie: supervisor.cookie })).status).toBe(200);
    const refundBySupervisor = await api(server(), "POST", `${path}/refunds`, { cookie: supervisor.cookie, body: { amountFen: 100, reason: "测试" } });
    expect(refundBySupervisor.status).toBe(403);
    expect((await api(server(), "POST", "/api/console/payments/reconciliations", { cookie: supervisor.cookie, body: { date: "2026-01-01" } })).status).toBe(403);
    // A fan session is not a console session.
    expect((await api(server(), "GET", "/api/console/payments/orders", { cookie: (await payingFan(server(), zhang, "NotStaff")).cookie })).status).toBe(401);
    expect((await api(server(), "GET", "/api/console/payments/orders/not-an-id", { cookie: admin.cookie })).status).toBe(404);

    const list = await api(server(), "GET", `/api/console/payments/orders?status=paid&purpose=bill&customerNumber=${zhang.customerNumber}`, { cookie: supervisor.cookie });
    expect(list.status).toBe(200);
    expect(list.body.orders.map((o: { id: string }) => o.id)).toContain(order.id);
    const byNumber = await api(server(), "GET", `/api/console/payments/orders?outTradeNo=${order.outTradeNo}`, { cookie: admin.cookie });
    expect(byNumber.body.orders).toHaveLength(1);
    expect(byNumber.body.orders[0]).toMatchObject({ outTradeNo: order.outTradeNo, status: "paid", credited: true, amountFen: order.amountFen });
    expect((await api(server(), "GET", "/api/console/payments/orders?status=weird", { cookie: admin.cookie })).status).toBe(400);
    expect((await api(server(), "GET", "/api/console/payments/orders?from=2026-02-30", { cookie: admin.cookie })).status).toBe(400);
  });

  it("refunds partly then the rest, never more than paid, and takes the money back from the account", async () => {
    const { fan, order, month } = await paidBill(chen, "Refund");
    const path = `/api/console/payments/orders/${order.id}`;
    const balanceBefore = (await water(server()).gateway.balance(chen.customerNumber))!;
    expect((await water(server()).gateway.bill(chen.customerNumber, month))!.status).toBe("paid");

    expect((await api(server(), "POST", `${path}/refunds`, { cookie: admin.cookie, body: { amountFen: order.amountFen + 1, reason: "多收" } })).status).toBe(400);
    expect((await api(server(), "POST", `${path}/refunds`, { cookie: admin.cookie, body: { amountFen: 100 } })).status).toBe(400);

    const partial = await api(server(), "POST", `${path}/refunds`, { cookie: admin.cookie, body: { amountFen: 1000, reason: "重复缴费部分退回" } });
    expect(partial.status).toBe(201);
    expect(partial.body.refund).toMatchObject({ amountFen: 1000, status: "processing" });
    expect(partial.body.refund.outRefundNo).toMatch(/^[A-Za-z0-9]{6,32}$/);
    // The rest is refundable while the first is still processing; a cent more is not.
    const detail = await api(server(), "GET", path, { cookie: admin.cookie });
    expect(detail.body.refundableFen).toBe(order.amountFen - 1000);
    expect((await api(server(), "POST", `${path}/refunds`, { cookie: admin.cookie, body: { amountFen: order.amountFen - 999, reason: "超额" } })).status).toBe(400);

    // The fake settles refunds after a second and sends REFUND.SUCCESS to /pay/refund-notify.
    await eventually(async () => (await api(server(), "GET", path, { cookie: admin.cookie })).body.refunds[0]?.accountSettled === true, "the refund settled on the account", 10_000);
    const afterPartial = await api(server(), "GET", path, { cookie: admin.cookie });
    expect(afterPartial.body.order.refundedFen).toBe(1000);
    expect(afterPartial.body.refunds[0]).toMatchObject({ status: "success", accountSettled: true });
    // The account gives the 1000 back: the bill it paid is unpaid again and the rest of its amount is credit.
    const [bill] = [(await water(server()).gateway.bill(chen.customerNumber, month))!];
    expect(bill.status).toBe("unpaid");
    expect(await water(server()).gateway.balance(chen.customerNumber)).toBe(balanceBefore - 1000 + bill.amountFen);

    const rest = await api(server(), "POST", `${path}/refunds`, { cookie: admin.cookie, body: { amountFen: order.amountFen - 1000, reason: "用户申请退款" } });
    expect(rest.status).toBe(201);
    await eventually(async () => (await api(server(), "GET", path, { cookie: admin.cookie })).body.order.refundedFen === order.amountFen, "the order fully refunded", 10_000);
    await eventually(async () => (await api(server(), "GET", path, { cookie: admin.cookie })).body.refunds.every((r: { accountSettled: boolean }) => r.accountSettled), "every refund settled on the account", 10_000);
    // Everything the payment settled is open again; the account is where it was before paying.
    expect(await water(server()).gateway.balance(chen.customerNumber)).toBe(balanceBefore);
    const settled = (await rows(server(), "SELECT settled_months FROM pay_order WHERE id = ?", [order.id]))[0].settled_months;
    for (const paidMonth of JSON.parse(settled) as string[]) expect((await water(server()).gateway.bill(chen.customerNumber, paidMonth))!.status).toBe("unpaid");
    expect((await api(server(), "POST", `${path}/refunds`, { cookie: admin.cookie, body: { amountFen: 1, reason: "再退" } })).status).toBe(400);
    const ledger = await rows(server(), "SELECT amount_fen FROM water_payment WHERE payment_ref IN (?, ?, ?) ORDER BY amount_fen DESC", [order.outTradeNo, partial.body.refund.outRefundNo, rest.body.refund.outRefundNo]);
    expect(ledger.map((row) => Number(row.amount_fen))).toEqual([order.amountFen, -1000, -(order.amountFen - 1000)]);
    const audit = await rows(server(), "SELECT actor_id FROM audit_log WHERE action = 'payment.refund' AND customer_number = ?", [chen.customerNumber]);
    expect(audit.map((row) => row.actor_id)).toEqual([admin.id, admin.id]);

    // The fan sees the refund in the history.
    const history = await api(server(), "GET", "/api/fan/payments", { cookie: fan.cookie });
    expect(history.body.orders.find((o: { id: string }) => o.id === order.id)).toMatchObject({ status: "paid", refundedFen: order.amountFen });
  });

  it("refuses forged refund notifications and stores a verified one about an unknown refund as an anomaly", async () => {
    const resource = { mchid: fakePay(server()).mchId, out_trade_no: "SW20990101000000NOSUCHORDER", out_refund_no: "RF20990101000000NOSUCHREFUN", refund_id: "50300000000000000000000000000", refund_status: "SUCCESS", amount: { total: 100, refund: 100 } };
    const signed = notification(fakePay(server()), resource, { eventType: "REFUND.SUCCESS", originalType: "refund" });
    const forged = { ...signed, headers: { ...signed.headers, "Wechatpay-Signature": Buffer.from("nope").toString("base64") } };
    expect((await postNotification(server(), "/pay/refund-notify", forged)).status).toBe(401);
    expect((await postNotification(server(), "/pay/refund-notify", signed)).status).toBe(204);
    expect((await postNotification(server(), "/pay/refund-notify", signed)).status).toBe(204);
    expect(await rows(server(), "SELECT kind FROM pay_anomaly WHERE out_trade_no = ?", [resource.out_trade_no])).toEqual([{ kind: "unknown_refund" }]);
    const listed = await api(server(), "GET", "/api/console/payments/anomalies", { cookie: supervisor.cookie });
    expect(listed.body.anomalies.map((a: { outTradeNo: string }) => a.outTradeNo)).toContain(resource.out_trade_no);
  });

  it("recovers a refund whose answer was lost with the job, and shows per-day totals", async () => {
    const { order } = await paidTopup(zhang, "RefundJob", 2000);
    fakePay(server()).failNext("POST /v3/refund/domestic/refunds", { status: 500, code: "SYSTEM_ERROR" });
    const requested = await api(server(), "POST", `/api/console/payments/orders/${order.id}/refunds`, { cookie: admin.cookie, body: { amountFen: 500, reason: "网络故障重试" } });
    expect(requested.status).toBe(201);
    expect(requested.body.refund.status).toBe("requested");
    h.clock.advance(61_000);
    const report = await payments(server()).jobs.sweepOnce();
    expect(report.refundsResent).toBe(1);
    await eventually(async () => (await rows(server(), "SELECT status, debited_at FROM pay_refund WHERE id = ?", [requested.body.refund.id]))[0].debited_at !== null, "the refund debited", 10_000);

    const today = chinaDate(h.clock.now());
    const daily = await api(server(), "GET", `/api/console/payments/daily?from=${today}&to=${today}`, { cookie: supervisor.cookie });
    expect(daily.status).toBe(200);
    expect(daily.body.days).toHaveLength(1);
    const [paid] = await rows(server(), "SELECT COUNT(*) AS n, SUM(amount_fen) AS fen FROM pay_order WHERE status = 'paid'");
    const [refunded] = await rows(server(), "SELECT SUM(amount_fen) AS fen FROM pay_refund WHERE status = 'success'");
    expect(daily.body.days[0]).toMatchObject({ date: today, paidCount: Number(paid.n), paidFen: Number(paid.fen), refundFen: Number(refunded.fen) });
    expect(daily.body.total.netFen).toBe(Number(paid.fen) - Number(refunded.fen));
    expect((await api(server(), "GET", "/api/console/payments/daily?from=2026-01-01&to=2026-12-31", { cookie: admin.cookie })).status).toBe(400);
  });

  it("lets admins change the payment settings, which the fan's limits follow", async () => {
    const path = "/api/console/payments/settings";
    expect((await api(server(), "GET", path, { cookie: supervisor.cookie })).body).toMatchObject({ expiryMinutes: 15, topupMinFen: 1000, topupMaxFen: 500000, reconcileEnabled: true, payEnabled: true, sandbox: true });
    const input = { expiryMinutes: 30, topupMinFen: 2000, topupMaxFen: 100000, reconcileEnabled: false };
    expect((await api(server(), "PUT", path, { cookie: supervisor.cookie, body: input })).status).toBe(403);
    expect((await api(server(), "PUT", path, { cookie: admin.cookie, body: { ...input, topupMinFen: 200000 } })).status).toBe(400);
    expect((await api(server(), "PUT", path, { cookie: admin.cookie, body: { ...input, expiryMinutes: 1 } })).status).toBe(400);
    const saved = await api(server(), "PUT", path, { cookie: admin.cookie, body: input });
    expect(saved.body).toMatchObject(input);
    const fan = await payingFan(server(), zhang, "Limits");
    expect((await orderFor(server(), fan.cookie, { purpose: "topup", accountId: fan.accountId, amountFen: 1500 })).status).toBe(400);
    const created = await orderFor(server(), fan.cookie, { purpose: "topup", accountId: fan.accountId, amountFen: 2000 });
    expect(new Date(created.body.order.expiresAt).getTime() - new Date(created.body.order.createdAt).getTime()).toBe(30 * 60_000);
    await api(server(), "PUT", path, { cookie: admin.cookie, body: { expiryMinutes: 15, topupMinFen: 1000, topupMaxFen: 500000, reconcileEnabled: true } });
  });

  it("reconciles a day against the trade bill and lists what differs", async () => {
    const day = chinaDate(h.clock.now());
    // An order we think is paid that WeChat never saw paid, and a bill row for an order we don't know.
    const { order } = await paidTopup(zhang, "Recon", 3000);
    await server().dataSource.query("UPDATE pay_order SET amount_fen = amount_fen + 1 WHERE id = ?", [order.id]);
    expect((await api(server(), "POST", "/api/console/payments/reconciliations", { cookie: admin.cookie, body: { date: day } })).status).toBe(400);
    h.clock.advance(24 * 3600_000);
    const run = await api(server(), "POST", "/api/console/payments/reconciliations", { cookie: admin.cookie, body: { date: day } });
    expect(run.status).toBe(200);
    expect(run.body.reconciliation).toMatchObject({ billDate: day, status: "mismatch" });
    expect(run.body.reconciliation.mismatches).toEqual([{ kind: "amount_mismatch", outTradeNo: order.outTradeNo, localFen: order.amountFen + 1, remoteFen: order.amountFen }]);
    expect(run.body.reconciliation.remoteCount).toBe(run.body.reconciliation.localCount);

    const listed = await api(server(), "GET", "/api/console/payments/reconciliations", { cookie: supervisor.cookie });
    expect(listed.body.reconciliations.map((r: { billDate: string }) => r.billDate)).toEqual([day]);
    expect((await api(server(), "GET", `/api/console/payments/reconciliations/${day}`, { cookie: supervisor.cookie })).body.reconciliation.status).toBe("mismatch");
    // A day without payments on either side agrees; today's bill is not made yet.
    const empty = await api(server(), "POST", "/api/console/payments/reconciliations", { cookie: admin.cookie, body: { date: "2026-01-02" } });
    expect(empty.body.reconciliation).toMatchObject({ status: "ok", localCount: 0, remoteCount: 0, mismatches: [] });
    // The daily job does yesterday by itself (replacing the manual run's report).
    await payments(server()).jobs.reconcileYesterday();
    expect((await api(server(), "GET", `/api/console/payments/reconciliations/${day}`, { cookie: admin.cookie })).body.reconciliation).toMatchObject({ runBy: "job", status: "mismatch" });
  });
});
