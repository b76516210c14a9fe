/** zh-CN labels for the payment pages (money formatting: shared/money.ts). */

export const PURPOSE_LABEL: Record<string, string> = { bill: "水费账单", topup: "预存", application: "业务费用" };
export const ORDER_STATUS_LABEL: Record<string, string> = { pending: "待支付", paid: "已支付", closed: "已关闭" };
export const REFUND_STATUS_LABEL: Record<string, string> = {
  requested: "提交中",
  processing: "退款中",
  success: "已退款",
  closed: "已关闭",
  abnormal: "退款异常",
  failed: "被拒绝",
};
export const ANOMALY_LABEL: Record<string, string> = {
  unknown_order: "未知订单",
  amount_mismatch: "金额不符",
  merchant_mismatch: "商户不符",
  payer_mismatch: "付款人不符",
  paid_after_close: "关单后支付（待退款）",
  unknown_refund: "未知退款",
  refund_abnormal: "退款异常",
};
export const MISMATCH_LABEL: Record<string, string> = {
  missing_local: "微信有、本系统无",
  missing_remote: "本系统有、微信无",
  amount_mismatch: "金额不一致",
  state_mismatch: "状态不一致",
  refund_missing_local: "退款：微信有、本系统无",
  refund_missing_remote: "退款：本系统有、微信无",
  refund_amount_mismatch: "退款金额不一致",
};
export const RECONCILE_STATUS_LABEL: Record<string, string> = { ok: "一致", mismatch: "有差异", no_bill: "暂无账单" };

export function orderStatusType(status: string, needsRefund = false): "success" | "warning" | "info" | "danger" {
  if (needsRefund) return "danger";
  return status === "paid" ? "success" : status === "pending" ? "warning" : "info";
}
