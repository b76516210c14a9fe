import type { TradeBillRow } from "./payGateway";

/**
 * The daily trade bill (bill_type ALL) as WeChat writes it: a header line, detail lines, a summary header
 * (总交易单数,…) and a summary line; fields separated by commas and each value prefixed with a backtick;
 * amounts in yuan with two decimals; times in China time (pay.weixin.qq.com/docs/merchant/products/
 * bill-download/format-trade.html). Parsing goes by column name so older formats still read.
 */

export const TRADE_BILL_ALL_COLUMNS = [
  "交易时间", "公众账号ID", "商户号", "特约商户号", "设备号", "微信订单号", "商户订单号", "用户标识", "交易类型",
  "交易状态", "付款银行", "货币种类", "应结订单金额", "代金券金额", "微信退款单号", "商户退款单号", "退款金额",
  "充值券退款金额", "退款类型", "退款状态", "商品名称", "商户数据包", "手续费", "费率", "订单金额", "申请退款金额", "费率备注",
] as const;

const SUMMARY_COLUMNS = ["总交易单数", "应结订单总金额", "退款总金额", "充值券退款总金额", "手续费总金额", "订单总金额", "申请退款总金额"];

export class TradeBillFormatError extends Error {}

/** Yuan text ("12.30", "-0.5", "0") to integer fen without floating point. */
export function yuanToFen(text: string): number {
  const match = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) throw new TradeBillFormatError(`not an amount: "${text}"`);
  const fen = Number(match[2]) * 100 + Number((match[3] ?? "").padEnd(2, "0"));
  return match[1] ? -fen : fen;
}

export function fenToYuan(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** "2026-11-23 10:00:00" (China time) to a Date. */
function chinaTime(text: string): Date {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(text);
  if (!match) throw new TradeBillFormatError(`not a bill time: "${text}"`);
  return new Date(`${match[1]}T${match[2]}+08:00`);
}

export function formatChinaTime(at: Date): string {
  const china = new Date(at.getTime() + 8 * 3600_000).toISOString();
  return `${china.slice(0, 10)} ${china.slice(11, 19)}`;
}

/** RFC3339 in China time, as WeChat writes times (e.g. time_expire 2026-11-24T10:30:00+08:00). */
export function rfc3339China(at: Date): string {
  const china = new Date(at.getTime() + 8 * 3600_000).toISOString();
  return `${china.slice(0, 19)}+08:00`;
}

const unquote = (value: string) => value.trim().replace(/^`/, "");

export function parseTradeBill(text: string): TradeBillRow[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/).filter((line) => line.trim() !== "");
  if (lines.length === 0) return [];
  const header = lines[0].split(",").map(unquote);
  const column = (...names: string[]) => {
    for (const name of names) {
      const index = header.indexOf(name);
      if (index >= 0) return index;
    }
    return -1;
  };
  const at = {
    time: column("交易时间"),
    transactionId: column("微信订单号"),
    outTradeNo: column("商户订单号"),
    state: column("交易状态"),
    // Our orders carry amount.total (订单金额); older bills only have 应结订单金额 / 总金额.
    amount: column("订单金额", "应结订单金额", "总金额"),
    refund: column("申请退款金额", "退款金额"),
    outRefundNo: column("商户退款单号"),
  };
  for (const [name, index] of Object.entries(at)) {
    if (index < 0 && name !== "refund" && name !== "outRefundNo") throw new TradeBillFormatError(`bill header lacks ${name}`);
  }
  const rows: TradeBillRow[] = [];
  for (const line of lines.slice(1)) {
    const fields = line.split(",").map(unquote);
    if (fields[0] === SUMMARY_COLUMNS[0]) break;
    const field = (index: number) => (index >= 0 ? (fields[index] ?? "") : "");
    const outRefundNo = field(at.outRefundNo);
    rows.push({
      tradeTime: chinaTime(field(at.time)),
      transactionId: field(at.transactionId),
      outTradeNo: field(at.outTradeNo),
      tradeState: field(at.state),
      amountFen: yuanToFen(field(at.amount) || "0"),
      refundFen: yuanToFen(field(at.refund) || "0"),
      outRefundNo: outRefundNo && outRefundNo !== "0" ? outRefundNo : null,
    });
  }
  return rows;
}

/** One detail line of the fake's bill. */
export interface TradeBillSourceRow {
  tradeTime: Date;
  appId: string;
  mchId: string;
  transactionId: string;
  outTradeNo: string;
  openid: string;
  tradeState: "SUCCESS" | "REFUND" | "REVOKED";
  totalFen: number;
  refundId?: string;
  outRefundNo?: string;
  refundFen?: number;
  refundStatus?: string;
  description: string;
  attach?: string;
}

/** The ALL bill text (before gzip) for the sandbox fake, in WeChat's layout. */
export function formatTradeBill(rows: TradeBillSourceRow[]): string {
  const tick = (value: string | number) => `\`${value}`;
  const lines = [TRADE_BILL_ALL_COLUMNS.join(",")];
  let paidFen = 0;
  let refundedFen = 0;
  for (const row of rows) {
    const refundFen = row.refundFen ?? 0;
    if (row.tradeState === "REFUND") refundedFen += refundFen;
    else paidFen += row.totalFen;
    const values = [
      formatChinaTime(row.tradeTime), row.appId, row.mchId, "0", "", row.transactionId, row.outTradeNo, row.openid, "JSAPI",
      row.tradeState, "OTHERS", "CNY", fenToYuan(row.totalFen), "0.00", row.refundId ?? "0", row.outRefundNo ?? "0",
      fenToYuan(refundFen), "0.00", row.tradeState === "REFUND" ? "ORIGINAL" : "", row.refundStatus ?? "",
      row.description.replace(/[,\r\n]/g, " "), (row.attach ?? "").replace(/[,\r\n]/g, " "), "0.00", "0.60%",
      fenToYuan(row.totalFen), fenToYuan(refundFen), "",
    ];
    lines.push(values.map(tick).join(","));
  }
  lines.push(SUMMARY_COLUMNS.join(","));
  lines.push([rows.length, fenToYuan(paidFen), fenToYuan(refundedFen), "0.00", "0.00", fenToYuan(paidFen), fenToYuan(refundedFen)].map(tick).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
