import type { AgentRole, AgentStatus, ConversationEventType, ConversationOutcome, ConversationStatus, DeliveryStatus, FanTrailKind } from "../api/types";

/** zh-CN names of the domain's enums, in one place. */

export const ROLE_LABEL: Record<AgentRole, string> = { agent: "客服", supervisor: "组长", admin: "管理员" };

export const STATUS_LABEL: Record<AgentStatus, string> = { online: "在线", away: "离开", offline: "离线" };

export const STATUS_TAG: Record<AgentStatus, "success" | "warning" | "info"> = { online: "success", away: "warning", offline: "info" };

export const CONVERSATION_STATUS_LABEL: Record<ConversationStatus, string> = {
  waiting: "排队中",
  active: "接待中",
  expired: "已超时",
  closed: "已结束",
};

export const OUTCOME_LABEL: Record<ConversationOutcome, string> = {
  resolved: "已解决",
  unresolved: "未解决（转投诉）",
  refused: "拒绝服务",
  timeout: "超时自动结束",
};

export const DELIVERY_LABEL: Record<DeliveryStatus, string> = {
  pending: "发送中",
  sending: "发送中",
  sent: "已送达",
  failed: "发送失败",
  refused: "未发送",
  passive: "已回复",
};

export const EVENT_LABEL: Record<ConversationEventType, string> = {
  queued: "进入排队",
  accepted: "接入",
  reaccepted: "重新接入",
  transferred: "转接",
  dispatched: "分配",
  released: "超时释放",
  alerted: "未回复告警",
  reminded: "提醒粉丝",
  rating_requested: "邀请评价",
  rated: "粉丝评价",
  closed: "结束会话",
};

export const TRAIL_LABEL: Record<FanTrailKind, string> = {
  follow: "关注公众号",
  unfollow: "取消关注",
  menu_click: "点击菜单",
  menu_view: "打开菜单链接",
  qr_scan: "扫描二维码",
  h5_open: "打开页面",
  bill_query: "查询水费",
  payment: "缴费",
  rating: "评价服务",
};

export const AUTO_LABEL: Record<string, string> = {
  greeting: "欢迎语",
  queued: "排队提示",
  keyword: "关键词回复",
  away: "离开自动回复",
  transfer: "转接提示",
  reminder: "提醒",
  auto_close: "自动结束",
  rating: "评价邀请",
  rating_thanks: "评价感谢",
};
