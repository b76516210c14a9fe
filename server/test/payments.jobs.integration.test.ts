import type { EntityManager } from "typeorm";
import { APPLICATION_FEES_SERVICE, type ApplicationFees } from "../src/modules/payments/deps";
import { DEMO_WATER_ACCOUNTS } from "../src/modules/water/demoWater";
import { api, eventually, makeAgent } from "./conversationsHelpers";
import { fakePay, orderFor, paidSilently, payingFan, payments, rows } from "./paymentsHelpers";
import { startWaterHarness, water, type WaterHarness } from "./waterHelpers";

/** The query/close job, the status poll, late payments, top-ups and application fees (MariaDB + Redis). */
describe("payments: lost notifications, expiry, top-ups and fees (MariaDB + Redis)", () => {
  let h: WaterHarness;
  const [zhang, li, wang, chen, zhao] = DEMO_WATER_ACCOUNTS;

  beforeAll(async () => {
    h = await startWaterHarness("payjobs");
  });
  afterAll(async () => {
    await h?.close();
  });

  const server = () => h.server;
  const orderRow = async (id: string) => (await rows(server(), "SELECT * FROM pay_order WHERE id = ?", [id]))[0];

  it("recovers a lost notification with the query job: paid, credited once, the bill shows paid", async () => {
    const fan = await payingFan(server(), zhang, "Lost");
    const [latest] = await water(server()).gateway.bills(zhang.customerNumber, 1);
    const created = await orderFor(server(), fan.cookie, { purpose: "bill", accountId: fan.accountId, month: latest.month });
    await paidSilently(server(), created.body.order.outTradeNo);

    // Younger than a minute: the job leaves it to the notification.
    expect((await payments(server()).jobs.sweepOnce()).queried).toBe(0);
    h.clock.advance(61_000);
    const report = await payments(server()).jobs.sweepOnce();
    expect(report).toMatchObject({ queried: 1, failures: 0 });
    expect(await orderRow(created.body.order.id)).toMatchObject({ status: "paid", paid_via: "query", trade_state: "SUCCESS" });
    expect((await orderRow(created.body.order.id)).credited_at).not.toBeNull();
    expect((await water(server()).gateway.bill(zhang.customerNumber, latest.month))!.status).toBe("paid");
    // Running it again changes nothing.
    await payments(server()).jobs.sweepOnce();
    expect(await rows(server(), "SELECT id FROM water_payment WHERE payment_ref = ?", [created.body.order.outTradeNo])).toHaveLength(1);
  });

  it("lets the page's status poll ask WeChat when no notification came", async () => {
    const fan = await payingFan(server(), wang, "Poll");
    const [latest] = await water(server()).gateway.bills(wang.customerNumber, 1);
    const created = await orderFor(server(), fan.cookie, { purpose: "bill", accountId: fan.accountId, month: latest.month });
    const path = `/api/fan/payments/orders/${created.body.order.id}`;
    expect((await api(server(), "GET", path, { cookie: fan.cookie })).body.order.status).toBe("pending");
    await paidSilently(server(), created.body.order.outTradeNo);
    h.clock.advance(6_000);
    const polled = await api(server(), "GET", path, { cookie: fan.cookie });
    expect(polled.body.order).toMatchObject({ status: "paid", credited: true });
    expect((await water(server()).gateway.bill(wang.customerNumber, latest.month))!.status).toBe("paid");
  });

  it("closes expired orders at WeChat and here, including one WeChat never saw, and opens a new one next time", async () => {
    const fan = await payingFan(server(), chen, "Expire");
    const [latest] = await water(server()).gateway.bills(chen.customerNumber, 1);
    const first = await orderFor(server(), fan.cookie, { purpose: "bill", accountId: fan.accountId, month: latest.month });
    expect(first.status).toBe(201);
    // A top-up whose create call failed at WeChat (5xx): the fan sees 503, the order stays pending here.
    fakePay(server()).failNext("POST /v3/pay/transactions/jsapi", { status: 500, code: "SYSTEM_ERROR" });
    const failed = await orderFor(server(), fan.cookie, { purpose: "topup", accountId: fan.accountId, amountFen: 2000 });
    expect(failed.status).toBe(503);
    const [orphan] = await rows(server(), "SELECT id, out_trade_no FROM pay_order WHERE fan_openid = ? AND purpose = 'topup'", [fan.openid]);

    h.clock.advance(16 * 60_000);
    await payments(server()).jobs.sweepOnce();
    expect(await orderRow(first.body.order.id)).toMatchObject({ status: "closed", open_key: null });
    expect(fakePay(server()).orders.get(first.body.order.outTradeNo)!.tradeState).toBe("CLOSED");
    expect(await orderRow(orphan.id)).toMatchObject({ status: "closed" });
    const status = await api(server(), "GET", `/api/fan/payments/orders/${first.body.order.id}`, { cookie: fan.cookie });
    expect(status.body.order.status).toBe("closed");

    const second = await orderFor(server(), fan.cookie, { purpose: "bill", accountId: fan.accountId, month: latest.month });
    expect(second.status).toBe(201);
    expect(second.body.order.outTradeNo).not.toBe(first.body.order.outTradeNo);
  });

  it("records a payment that arrives for an order we had closed, never credits it, and flags it for refund", async () => {
    const fan = await payingFan(server(), zhao, "Late");
    const created = await orderFor(server(), fan.cookie, { purpose: "topup", accountId: fan.accountId, amountFen: 3000 });
    const balanceBefore = await water(server()).gateway.balance(zhao.customerNumber);
    await server().dataSource.query("UPDATE pay_order SET status = 'closed', closed_at = ? WHERE id = ?", [new Date(), created.body.order.id]);
    const { deliveries } = await fakePay(server()).payOrder({ outTradeNo: created.body.order.outTradeNo });
    expect(deliveries.map((d) => d.status)).toEqual([204]);
    expect(await orderRow(created.body.order.id)).toMatchObject({ status: "paid", credited_at: null });
    expect(Boolean(Number((await orderRow(created.body.order.id)).needs_refund))).toBe(true);
    expect(await water(server()).gateway.balance(zhao.customerNumber)).toBe(balanceBefore);
    expect(await rows(server(), "SELECT kind FROM pay_anomaly WHERE order_id = ?", [created.body.order.id])).toEqual([{ kind: "paid_after_close" }]);
    // The credit job leaves it alone.
    await payments(server()).jobs.sweepOnce();
    expect(await water(server()).gateway.balance(zhao.customerNumber)).toBe(balanceBefore);
    // An admin refunds it in full; nothing is taken back from the account (nothing was credited).
    const admin = await makeAgent(server(), { role: "admin" });
    const attention = await api(server(), "GET", "/api/console/payments/orders?attention=1", { cookie: admin.cookie });
    expect(attention.body.orders.map((o: { id: string }) => o.id)).toContain(created.body.order.id);
    const refund = await api(server(), "POST", `/api/console/payments/orders/${created.body.order.id}/refunds`, { cookie: admin.cookie, body: { amountFen: 3000, reason: "订单关闭后支付，原路退回" } });
    expect(refund.status).toBe(201);
    await eventually(async () => (await rows(server(), "SELECT debited_at FROM pay_refund WHERE id = ?", [refund.body.refund.id]))[0].debited_at !== null, "the refund debited", 10_000);
    expect(await orderRow(created.body.order.id)).toMatchObject({ refunded_fen: 3000, credited_at: null });
    expect(await water(server()).gateway.balance(zhao.customerNumber)).toBe(balanceBefore);
  });

  it("tops up within the configured limits, credited through the fake's own notification", async () => {
    const fan = await payingFan(server(), li, "Topup");
    expect((await orderFor(server(), fan.cookie, { purpose: "topup", accountId: fan.accountId, amountFen: 999 })).status).toBe(400);
    expect((await orderFor(server(), fan.cookie, { purpose: "topup", accountId: fan.accountId, amountFen: 500001 })).status).toBe(400);
    expect((await orderFor(server(), fan.cookie, { purpose: "topup", accountId: fan.accountId, amountFen: 12.5 })).status).toBe(400);
    const before = (await water(server()).gateway.balance(li.customerNumber))!;
    const created = await orderFor(server(), fan.cookie, { purpose: "topup", accountId: fan.accountId, amountFen: 5000 });
    expect(created.status).toBe(201);
    // The sandbox confirm sheet's endpoint: the fake pays and notifies us.
    const confirmed = await fetch(`${server().url}/sandbox/pay/confirm`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ outTradeNo: created.body.order.outTradeNo }) });
    expect(confirmed.status).toBe(200);
    expect(((await confirmed.json()) as { notifications: unknown }).notifications).toEqual([{ status: 204, error: null }]);
    expect(await water(server()).gateway.balance(li.customerNumber)).toBe(before + 5000);
    const options = await api(server(), "GET", "/api/fan/payments/options", { cookie: fan.cookie });
    expect(options.body).toMatchObject({ enabled: true, sandbox: true, topupMinFen: 1000, topupMaxFen: 500000 });
  });

  it("takes an application fee from the applications service and marks it paid once, in the credit transaction", async () => {
    const fan = await payingFan(server(), zhang, "Fee");
    const applicationId = "01a20b00-0000-7000-8000-000000000001";
    const marked: { applicationId: string; orderId: string; inTransaction: boolean }[] = [];
    const fees: ApplicationFees = {
      feeFor: async (openid, id) => {
        if (openid !== fan.openid || id !== applicationId) throw Object.assign(new Error("not found"), { status: 404 });
        return { amountFen: 2500, description: "水表校验费", customerNumber: zhang.customerNumber };
      },
      markPaid: async (manager: EntityManager, id, payment) => {
        marked.push({ applicationId: id, orderId: payment.orderId, inTransaction: manager.queryRunner?.isTransactionActive ?? false });
      },
    };
    const previous = server().context.services.get(APPLICATION_FEES_SERVICE);
    server().context.services.delete(APPLICATION_FEES_SERVICE);
    try {
      expect((await orderFor(server(), fan.cookie, { purpose: "application", applicationId })).status).toBe(503);
      server().context.services.set(APPLICATION_FEES_SERVICE, fees);
      const quote = await api(server(), "GET", `/api/fan/payments/applications/${applicationId}`, { cookie: fan.cookie });
      expect(quote.body).toMatchObject({ amountFen: 2500, paid: false });
      const created = await orderFor(server(), fan.cookie, { purpose: "application", applicationId });
      expect(created.body.order).toMatchObject({ purpose: "application", amountFen: 2500, applicationId });
      const balanceBefore = await water(server()).gateway.balance(zhang.customerNumber);
      await fakePay(server()).payOrder({ outTradeNo: created.body.order.outTradeNo }, { duplicates: 3 });
      expect(marked).toEqual([{ applicationId, orderId: created.body.order.id, inTransaction: true }]);
      // A fee is not water credit.
      expect(await water(server()).gateway.balance(zhang.customerNumber)).toBe(balanceBefore);
      expect((await orderFor(server(), fan.cookie, { purpose: "application", applicationId })).status).toBe(409);
    } finally {
      if (previous) server().context.services.set(APPLICATION_FEES_SERVICE, previous);
      else server().context.services.delete(APPLICATION_FEES_SERVICE);
    }
  });
});
