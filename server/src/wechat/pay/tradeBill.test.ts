import { fenToYuan, formatTradeBill, parseTradeBill, rfc3339China, TradeBillFormatError, yuanToFen } from "./tradeBill";

describe("trade bill amounts", () => {
  it("converts yuan text to fen without floating point", () => {
    expect(yuanToFen("0.01")).toBe(1);
    expect(yuanToFen("12.3")).toBe(1230);
    expect(yuanToFen("1024.99")).toBe(102499);
    expect(yuanToFen("7")).toBe(700);
    expect(yuanToFen("-0.10")).toBe(-10);
    expect(() => yuanToFen("1.005")).toThrow(TradeBillFormatError);
    expect(() => yuanToFen("1e3")).toThrow(TradeBillFormatError);
    expect(fenToYuan(102499)).toBe("1024.99");
    expect(fenToYuan(5)).toBe("0.05");
  });

  it("writes times as WeChat does (China time)", () => {
    expect(rfc3339China(new Date("2026-11-24T02:30:00Z"))).toBe("2026-11-24T10:30:00+08:00");
  });
});

describe("trade bill file", () => {
  // The layout of WeChat's documented ALL bill (format-trade.html): backticked fields, summary at the end.
  const official = [
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注",
    "`2026-11-23 10:00:00,`wxsandbox00000001,`1900000109,`0,`,`4200000001202611230000000001,`T20261123000001,`oFan1,`JSAPI,`SUCCESS,`OTHERS,`CNY,`25.00,`0.00,`0,`0,`0.00,`0.00,`,`,`水费,`,`0.15,`0.60%,`25.00,`0.00,`",
    "`2026-11-23 11:00:00,`wxsandbox00000001,`1900000109,`0,`,`4200000001202611230000000001,`T20261123000001,`oFan1,`JSAPI,`REFUND,`OTHERS,`CNY,`25.00,`0.00,`50300000012026112300000001,`R20261123000001,`5.50,`0.00,`ORIGINAL,`SUCCESS,`水费,`,`-0.03,`0.60%,`25.00,`5.50,`",
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
    "`2,`25.00,`5.50,`0.00,`0.12,`25.00,`5.50",
  ].join("\r\n");

  it("parses the documented layout into fen", () => {
    expect(parseTradeBill(`\uFEFF${official}\r\n`)).toEqual([
      { tradeTime: new Date("2026-11-23T02:00:00Z"), transactionId: "4200000001202611230000000001", outTradeNo: "T20261123000001", tradeState: "SUCCESS", amountFen: 2500, refundFen: 0, outRefundNo: null },
      { tradeTime: new Date("2026-11-23T03:00:00Z"), transactionId: "4200000001202611230000000001", outTradeNo: "T20261123000001", tradeState: "REFUND", amountFen: 2500, refundFen: 550, outRefundNo: "R20261123000001" },
    ]);
  });

  it("reads what the sandbox fake writes", () => {
    const text = formatTradeBill([
      { tradeTime: new Date("2026-11-23T02:00:00Z"), appId: "wx1", mchId: "1900000109", transactionId: "4200", outTradeNo: "T1000001", openid: "o1", tradeState: "SUCCESS", totalFen: 1001, description: "水费, 十月" },
      { tradeTime: new Date("2026-11-23T03:00:00Z"), appId: "wx1", mchId: "1900000109", transactionId: "4200", outTradeNo: "T1000001", openid: "o1", tradeState: "REFUND", totalFen: 1001, refundFen: 1, outRefundNo: "R1000001", refundStatus: "SUCCESS", description: "水费" },
    ]);
    expect(text.split("\r\n")[3]).toBe("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额");
    expect(parseTradeBill(text).map((row) => [row.tradeState, row.amountFen, row.refundFen, row.outRefundNo])).toEqual([
      ["SUCCESS", 1001, 0, null],
      ["REFUND", 1001, 1, "R1000001"],
    ]);
  });

  it("falls back to the older columns and refuses a header without the essentials", () => {
    const older = ["交易时间,微信订单号,商户订单号,交易状态,总金额,退款金额,商户退款单号", "`2026-11-23 10:00:00,`42,`T1000001,`SUCCESS,`1.00,`0.00,`0"].join("\n");
    expect(parseTradeBill(older)[0]).toMatchObject({ amountFen: 100, refundFen: 0, outRefundNo: null });
    expect(() => parseTradeBill("a,b,c\n1,2,3")).toThrow(TradeBillFormatError);
    expect(parseTradeBill("")).toEqual([]);
  });
});
