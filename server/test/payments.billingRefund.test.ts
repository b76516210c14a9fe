import { BillingRejectedError, BillingUnavailableError } from "../src/modules/water/billingGateway";
import { HttpBillingGateway } from "../src/modules/water/httpBillingGateway";

/** The external billing system's refund endpoint, as the HTTP gateway calls it (docs/api/billing-gateway.md). */
describe("HttpBillingGateway.recordRefund", () => {
  const refund = { refundRef: "RF20261124103005AAAAAAAAAA", paymentRef: "SW20261124100000BBBBBBBBBB", amountFen: 1000, refundedAt: new Date("2026-11-24T02:30:05Z") };

  it("posts the refund and reads the answer", async () => {
    const calls: { url: string; method: string; body: unknown }[] = [];
    const gateway = new HttpBillingGateway({
      baseUrl: "http://billing.test/api/v1",
      fetchImpl: async (url, init) => {
        calls.push({ url: String(url), method: String(init?.method), body: JSON.parse(String(init?.body)) });
        return new Response(JSON.stringify({ refundRef: refund.refundRef, balanceFen: 3830, reopenedMonths: ["2026-10"] }), { status: 200 });
      },
    });
    expect(await gateway.recordRefund("310100004", refund)).toEqual({ refundRef: refund.refundRef, balanceFen: 3830, reopenedMonths: ["2026-10"] });
    expect(calls).toEqual([
      {
        url: "http://billing.test/api/v1/accounts/310100004/refunds",
        method: "POST",
        body: { refundRef: refund.refundRef, paymentRef: refund.paymentRef, amountFen: 1000, refundedAt: "2026-11-24T02:30:05.000Z" },
      },
    ]);
  });

  it("treats 404 and 409 as refused, anything else unexpected as an outage", async () => {
    const answering = (status: number, body = "{}") => new HttpBillingGateway({ baseUrl: "http://billing.test", fetchImpl: async () => new Response(body, { status }) });
    await expect(answering(404).recordRefund("x", refund)).rejects.toBeInstanceOf(BillingRejectedError);
    await expect(answering(409).recordRefund("x", refund)).rejects.toBeInstanceOf(BillingRejectedError);
    await expect(answering(500).recordRefund("x", refund)).rejects.toBeInstanceOf(BillingUnavailableError);
    await expect(answering(200, JSON.stringify({ refundRef: "x" })).recordRefund("x", refund)).rejects.toBeInstanceOf(BillingUnavailableError);
  });
});
