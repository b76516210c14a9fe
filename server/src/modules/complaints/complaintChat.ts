import type { InboundMessage, PassiveReply } from "../../wechat/callback/messages";
import type { InboundRouter } from "../inbox/inbox";
import { h5Link } from "../water/billChat";

/**
 * 投诉建议 in chat: the menu item's CLICK key (COMPLAINT) or the keyword answers with the H5 form link,
 * never queueing a human conversation (registered as a conversation bypass in complaintsModule.ts).
 */
export const COMPLAINT_MENU_KEY = "COMPLAINT";
// Whole-message phrases only: a fan typing "投诉" to an agent mid-conversation still reaches the agent.
const KEYWORDS = new Set(["投诉建议", "我要投诉", "我要建议"]);

export function isComplaintRequest(message: InboundMessage): boolean {
  if (message.kind === "text") return KEYWORDS.has(message.content.normalize("NFKC").replace(/\s+/g, ""));
  if (message.kind === "click") return message.eventKey === COMPLAINT_MENU_KEY;
  return false;
}

export function complaintChatRouter(publicUrl: string): InboundRouter {
  return async (message): Promise<PassiveReply | null> => {
    if (!isComplaintRequest(message)) return null;
    const form = h5Link(publicUrl, `/complaints/new?source=chat_menu`);
    const mine = h5Link(publicUrl, "/complaints");
    return {
      type: "text",
      content: `感谢您的反馈！\n<a href="${form}">点击这里提交投诉或建议</a>，可附照片、录音和位置。\n<a href="${mine}">查看我的投诉建议及处理进度</a>\n如需人工客服，请回复“人工”。`,
    };
  };
}
