import { DEMO_WATER_ACCOUNTS } from "../src/modules/water/demoWater";
import { BillingUnavailableError } from "../src/modules/water/billingGateway";
import { api, eventually } from "./conversationsHelpers";
import { fakePay, notification, orderFor, paidSilently, payingFan, payments, postNotification, rows } from "./paymentsHelpers";
import { startWaterHarness, water, type WaterHarness } from "./waterHelpers";

/**
 * Orders and the pay notification on two instances (MariaDB + Redis, the sandbox's fake WeChat Pay):
 * amounts from our bills, exactly-once credit under concurrent duplicate notifications, and forged or
 * wrong notifications changing nothing.
 */
describe("payments: orders and /pay/notify (MariaDB + Redis, two instances)", () => {
  let h: WaterHarness;
  const chen = DEMO_WATER_ACCOUNTS[3]; // two unpaid months
  const zhang = DEMO_WATER_ACCOUNTS[0]; // one unpaid month
  const wang = DEMO_WATER_ACCOUNTS[2];

  beforeAll(async () => {
    h = await startWaterHarness("paynotify", { instances: 2 });
  });
  afterAll(async () => {
    await h?.close();
  });

  const [a, b] = [() => h.servers[0], () => h.servers[1]];

  it("prices a bill from our bills (older unpaid months included), ignores an amount from the page, and reuses the pending order", async () => {
    const fan = await payingFan(a(), chen, "Quote");
    const [latest, previous] = await water(a()).gateway.bills(chen.customerNumber, 2);
    expect([latest.status, previous.status]).toEqual(["unpaid", "unpaid"]);

    const quote = await api(a(), "GET", `/api/fan/payments/bills/${fan.accountId}/${latest.month}`, { cookie: fan.cookie });
    expect(quote.status).toBe(200);
    expect(quote.body).toMatchObject({ amountFen: latest.amountFen + previous.amountFen, months: [previous.month, latest.month] });

    const created = await orderFor(a(), fan.cookie, { purpose: "bill", accountId: fan.accountId, month: latest.month, amountFen: 1 });
    expect(created.status).toBe(201);
    expect(created.body.order).toMatchObject({ purpose: "bill", status: "pending", amountFen: latest.amountFen + previous.amountFen, billMonths: [previous.month, latest.month], customerNumber: chen.customerNumber });
    expect(created.body.order.outTradeNo).toMatch(/^[A-Za-z0-9_-]{6,32}$/);
    expect(created.body.payParams).toMatchObject({ appId: a().config.wechat.appId, signType: "RSA" });
    expect(created.body.payParams.package).toMatch(/^prepay_id=wx/);
    expect(created.body.sandbox).toBe(true);
    // WeChat got our amount, payer and notify URL.
    const atWechat = fakePay(a()).orders.get(created.body.order.outTradeNo)!;
    expect(atWechat).toMatchObject({ totalFen: latest.amountFen + previous.amountFen, openid: fan.openid, notifyUrl: `${a().config.publicUrl}/pay/notify` });

    // A second tap (on the other instance) hands out the same order again.
    const again = await orderFor(b(), fan.cookie, { purpose: "bill", accountId: fan.accountId, month: latest.month });
    expect(again.status).toBe(201);
    expect(again.body.order.id).toBe(created.body.order.id);

    // A paid month cannot be ordered; an unknown month or another fan's account is not found.
    const paidMonth = (await water(a()).gateway.bills(chen.customerNumber, 3))[2].month;
    expect((await orderFor(a(), fan.cookie, { purpose: "bill", accountId: fan.accountId, month: paidMonth })).status).toBe(409);
    expect((await orderFor(a(), fan.cookie, { purpose: "bill", accountId: fan.accountId, month: "1999-01" })).status).toBe(404);
    const stranger = await payingFan(a(), zhang, "Stranger");
    expect((await orderFor(a(), stranger.cookie, { purpose: "bill", accountId: fan.accountId, month: latest.month })).status).toBe(404);
    expect((await api(a(), "GET", `/api/fan/payments/orders/${created.body.order.id}`, { cookie: stranger.cookie })).status).toBe(404);
    expect((await api(a(), "GET", `/api/fan/payments/orders/${created.body.order.id}`)).status).toBe(401);
    expect((await orderFor(a(), fan.cookie, { purpose: "bill", accountId: fan.accountId })).status).toBe(400);
  });

  it("opens one order when the fan taps pay five times at once on two instances", async () => {
    const fan = await payingFan(a(), wang, "Taps");
    const [latest] = await water(a()).gateway.bills(wang.customerNumber, 1);
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => orderFor(i % 2 ? b() : a(), fan.cookie, { purpose: "bill", accountId: fan.accountId, month: latest.month })));
    expect(answers.map((answer) => answer.status)).toEqual(Array(5).fill(201));
    expect(new Set(answers.map((answer) => answer.body.order.id)).size).toBe(1);
    expect(await rows(a(), "SELECT id FROM pay_order WHERE fan_openid = ?", [fan.openid])).toHaveLength(1);
  });

  it("credits once when 10 identical notifications arrive at once on two instances", async () => {
    const fan = await payingFan(a(), zhang, "Ten");
    const [latest] = await water(a()).gateway.bills(zhang.customerNumber, 1);
    const balanceBefore = (await water(a()).gateway.balance(zhang.customerNumber))!;
    const created = await orderFor(a(), fan.cookie, { purpose: "bill", accountId: fan.accountId, month: latest.month });
    const { outTradeNo, id } = created.body.order;

    const resource = await paidSilently(a(), outTradeNo);
    const signed = notification(fakePay(a()), resource);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => postNotification(i % 2 ? b() : a(), "/pay/notify", signed)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(204));

    const payments = await rows(a(), "SELECT amount_fen, settled_months FROM water_payment WHERE payment_ref = ?", [outTradeNo]);
    expect(payments).toHaveLength(1);
    expect(Number(payments[0].amount_fen)).toBe(latest.amountFen);
    expect(await water(a()).gateway.balance(zhang.customerNumber)).toBe(balanceBefore);
    expect((await water(a()).gateway.bill(zhang.customerNumber, latest.month))!.status).toBe("paid");

    const status = await api(b(), "GET", `/api/fan/payments/orders/${id}`, { cookie: fan.cookie });
    expect(status.body.order).toMatchObject({ status: "paid", credited: true });
    // One 缴费成功 template for the fan (sandbox demo template id), however many notifications raced.
    const notices = await rows(a(), "SELECT fan_openid, kind, payload FROM outbox_message WHERE ref = ?", [`pay_order:${id}`]);
    expect(notices).toHaveLength(1);
    const payload = typeof notices[0].payload === "string" ? JSON.parse(notices[0].payload) : notices[0].payload;
    expect(notices[0]).toMatchObject({ fan_openid: fan.openid, kind: "template" });
    // Either instance may have credited it: the link is that instance's PUBLIC_URL.
    expect(h.servers.map((server) => `${server.config.publicUrl}/h5/#/pay/result/${id}`)).toContain(payload.url);
    expect(payload).toMatchObject({
      templateId: "tmpl_sandbox_payment_success",
      data: { character_string1: { value: zhang.customerNumber }, amount2: { value: `¥${(latest.amountFen / 100).toFixed(2)}` }, thing4: { value: "已销账 1 期水费" } },
    });
    const [order] = await rows(a(), "SELECT paid_via, transaction_id, open_key FROM pay_order WHERE id = ?", [id]);
    expect(order).toMatchObject({ paid_via: "notify", transaction_id: resource.transaction_id, open_key: null });

    // The fan's history shows it; the bill is paid, so paying it again is refused.
    const history = await api(a(), "GET", "/api/fan/payments", { cookie: fan.cookie });
    expect(history.body.orders.map((o: { id: string }) => o.id)).toContain(id);
    expect((await orderFor(a(), fan.cookie, { purpose: "bill", accountId: fan.accountId, month: latest.month })).status).toBe(409);
  });

  it("changes nothing for a wrong amount, a bad or probe signature, a stale one, a broken ciphertext or an unknown order", async () => {
    const fan = await payingFan(a(), wang, "Forged");
    const [latest] = await water(a()).gateway.bills(wang.customerNumber, 1);
    const created = await orderFor(a(), fan.cookie, { purpose: "bill", accountId: fan.accountId, month: latest.month });
    const { outTradeNo, id } = created.body.order;
    const fake = fakePay(a());
    const resource = await paidSilently(a(), outTradeNo);

    // Correctly signed, but the amount is not the order's: stored as an anomaly, acknowledged, nothing credited.
    const wrongAmount = notification(fake, { ...resource, amount: { ...resource.amount, total: 1, payer_total: 1 } });
    expect((await postNotification(a(), "/pay/notify", wrongAmount)).status).toBe(204);
    // Forged or broken: 401 FAIL.
    const good = notification(fake, resource);
    const flipped = { ...good, headers: { ...good.headers, "Wechatpay-Signature": Buffer.from("forged-signature").toString("base64") } };
    const bad = await postNotification(a(), "/pay/notify", flipped);
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.body)).toMatchObject({ code: "FAIL" });
    const probe = { ...good, headers: { ...good.headers, "Wechatpay-Signature": `WECHATPAY/SIGNTEST/${good.headers["Wechatpay-Signature"]}` } };
    expect((await postNotification(b(), "/pay/notify", probe)).status).toBe(401);
    const tamperedBody = { ...good, body: good.body.replace('"summary":"支付成功"', '"summary":"支付成功 "') };
    expect(tamperedBody.body).not.toBe(good.body);
    expect((await postNotification(a(), "/pay/notify", tamperedBody)).status).toBe(401);
    const noHeaders = await fetch(`${a().url}/pay/notify`, { method: "POST", body: good.body, headers: { "content-type": "application/json" } });
    expect(noHeaders.status).toBe(401);
    // The fake's own broken deliveries (stale timestamp, flipped GCM tag, bad signature) are refused as well.
    for (const tamper of ["stale", "ciphertext", "signature"] as const) {
      const { deliveries } = await fake.payOrder({ outTradeNo }, { tamper });
      expect(deliveries.map((d) => d.status)).toEqual([401]);
    }

    // A correctly signed notification about an order we never made: logged as an anomaly, acknowledged.
    const unknown = notification(fake, { ...resource, out_trade_no: "SW20990101000000UNKNOWN000" });
    expect((await postNotification(b(), "/pay/notify", unknown)).status).toBe(204);

    const [order] = await rows(a(), "SELECT status, credited_at FROM pay_order WHERE id = ?", [id]);
    expect(order).toMatchObject({ status: "pending", credited_at: null });
    expect(await rows(a(), "SELECT id FROM water_payment WHERE payment_ref = ?", [outTradeNo])).toHaveLength(0);
    expect((await water(a()).gateway.bill(wang.customerNumber, latest.month))!.status).toBe("unpaid");
    const anomalies = await rows(a(), "SELECT kind, out_trade_no FROM pay_anomaly WHERE out_trade_no IN (?, ?) ORDER BY kind", [outTradeNo, "SW20990101000000UNKNOWN000"]);
    expect(anomalies.map((row) => row.kind)).toEqual(["amount_mismatch", "unknown_order"]);

    // The real one still goes through afterwards.
    expect((await postNotification(a(), "/pay/notify", notification(fake, resource))).status).toBe(204);
    expect((await water(a()).gateway.bill(wang.customerNumber, latest.month))!.status).toBe("paid");
  });

  it("answers 500 FAIL while the billing system is down, keeps the order paid-not-credited, and the job credits it once", async () => {
    const fan = await payingFan(a(), chen, "Down");
    const [latest] = await water(a()).gateway.bills(chen.customerNumber, 1);
    // The first test left an order open for this bill (another fan): this fan gets their own.
    const created = await orderFor(a(), fan.cookie, { purpose: "bill", accountId: fan.accountId, month: latest.month });
    const { outTradeNo, id, amountFen } = created.body.order;
    const resource = await paidSilently(a(), outTradeNo);

    const deps = payments(a()).deps;
    const realBilling = deps.billing;
    deps.billing = Object.create(realBilling, {
      recordPayment: { value: async () => Promise.reject(new BillingUnavailableError("billing system unreachable")) },
    });
    try {
      const answer = await postNotification(a(), "/pay/notify", notification(fakePay(a()), resource));
      expect(answer.status).toBe(500);
      expect(JSON.parse(answer.body)).toMatchObject({ code: "FAIL" });
      const [order] = await rows(a(), "SELECT status, credited_at, credit_attempts FROM pay_order WHERE id = ?", [id]);
      expect(order).toMatchObject({ status: "paid", credited_at: null });
      expect(Number(order.credit_attempts)).toBeGreaterThanOrEqual(1);
      // Meanwhile the bill still reads unpaid, but paying it again is refused.
      expect((await orderFor(b(), fan.cookie, { purpose: "bill", accountId: fan.accountId, month: latest.month })).status).toBe(409);
    } finally {
      deps.billing = realBilling;
    }

    const report = await payments(a()).jobs.sweepOnce();
    expect(report.credited).toBeGreaterThanOrEqual(1);
    // WeChat's retry now finds it recorded.
    expect((await postNotification(b(), "/pay/notify", notification(fakePay(a()), resource))).status).toBe(204);
    const credited = await rows(a(), "SELECT amount_fen FROM water_payment WHERE payment_ref = ?", [outTradeNo]);
    expect(credited.map((row) => Number(row.amount_fen))).toEqual([amountFen]);
    await eventually(async () => (await api(a(), "GET", `/api/fan/payments/orders/${id}`, { cookie: fan.cookie })).body.order.credited === true);
  });
});
