import type { TradeBillRow } from "../../wechat/pay/payGateway";
import { compareWithTradeBill } from "./reconciliation";

const at = new Date("2026-11-23T02:00:00Z");
const paymentRow = (outTradeNo: string, amountFen: number, tradeState = "SUCCESS"): TradeBillRow => ({ tradeTime: at, transactionId: `42${outTradeNo}`, outTradeNo, tradeState, amountFen, refundFen: 0, outRefundNo: null });
const refundRow = (outTradeNo: string, outRefundNo: string, refundFen: number): TradeBillRow => ({ tradeTime: at, transactionId: `42${outTradeNo}`, outTradeNo, tradeState: "REFUND", amountFen: 0, refundFen, outRefundNo });
const paid = (outTradeNo: string, amountFen: number, status = "paid") => ({ outTradeNo, amountFen, status });

describe("reconciliation against the trade bill", () => {
  it("finds nothing when every payment and refund matches", () => {
    expect(
      compareWithTradeBill({
        paidThatDay: [paid("SW1", 4830), paid("SW2", 10000)],
        knownOrders: [],
        refundedThatDay: [{ outRefundNo: "RF1", outTradeNo: "SW2", status: "success", amountFen: 3000 }],
        knownRefunds: [],
        bill: [paymentRow("SW1", 4830), paymentRow("SW2", 10000), refundRow("SW2", "RF1", 3000)],
      }),
    ).toEqual([]);
  });

  it("lists payments missing on either side, amounts and states that differ", () => {
    const mismatches = compareWithTradeBill({
      paidThatDay: [paid("SW1", 4830), paid("SW2", 10000), paid("SW3", 500)],
      knownOrders: [paid("SW4", 2000, "closed")],
      refundedThatDay: [],
      knownRefunds: [],
      bill: [paymentRow("SW1", 4830), paymentRow("SW2", 9000), paymentRow("SW4", 2000), paymentRow("SWX", 100)],
    });
    expect(mismatches).toEqual(
      expect.arrayContaining([
        { kind: "amount_mismatch", outTradeNo: "SW2", localFen: 10000, remoteFen: 9000 },
        { kind: "state_mismatch", outTradeNo: "SW4", localState: "closed", remoteState: "SUCCESS", localFen: 2000, remoteFen: 2000 },
        { kind: "missing_local", outTradeNo: "SWX", remoteFen: 100, remoteState: "SUCCESS" },
        { kind: "missing_remote", outTradeNo: "SW3", localFen: 500, localState: "paid" },
      ]),
    );
    expect(mismatches).toHaveLength(4);
  });

  it("checks refunds by out_refund_no", () => {
    const mismatches = compareWithTradeBill({
      paidThatDay: [],
      knownOrders: [],
      refundedThatDay: [{ outRefundNo: "RF9", outTradeNo: "SW9", status: "success", amountFen: 100 }],
      knownRefunds: [{ outRefundNo: "RF1", outTradeNo: "SW1", status: "success", amountFen: 3000 }],
      bill: [refundRow("SW1", "RF1", 2500), refundRow("SW2", "RF2", 700)],
    });
    expect(mismatches).toEqual([
      { kind: "refund_amount_mismatch", outTradeNo: "SW1", outRefundNo: "RF1", localFen: 3000, remoteFen: 2500 },
      { kind: "refund_missing_local", outTradeNo: "SW2", outRefundNo: "RF2", remoteFen: 700, remoteState: "REFUND" },
      { kind: "refund_missing_remote", outTradeNo: "SW9", outRefundNo: "RF9", localFen: 100, localState: "success" },
    ]);
  });
});
