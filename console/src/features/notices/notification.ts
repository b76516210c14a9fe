import type { AdminNotice, NotificationReport } from "../../api/notices";

/** What the admin is told after a publish or an edit, about the emergency outage template messages. */
export function notificationMessage(report: NotificationReport | null, notice: Pick<AdminNotice, "kind" | "outageType">): string {
  if (!report) return "已保存";
  if (report.alreadyPublished) return "公告已是发布状态";
  const emergency = notice.kind === "outage" && notice.outageType === "emergency";
  if (report.skipped === "no_template") return "已发布，但未设置停水通知模板 ID，没有推送模板消息（可在“停水通知模板”中设置）";
  if (!emergency) return "已发布";
  return report.notifiedFans > 0 ? `已发布，已向 ${report.notifiedFans} 位订阅用户推送停水通知` : "已发布（停水区域内没有需要通知的订阅用户，或已通知过）";
}
