import { Agent, AgentGroup } from "../../modules/agents/agent.entity";
import { Conversation, ConversationEvent, ConversationMessage, KeywordRule, LeaveMessage } from "../../modules/conversations/conversation.entity";
import { Complaint, ComplaintEvent } from "../../modules/complaints/complaint.entity";
import { Application, ApplicationEvent } from "../../modules/applications/application.entity";
import { FanUpload } from "../../modules/applications/fanUpload.entity";
import { FanTrail } from "../../modules/customers/fanTrail.entity";
import { Fan } from "../../modules/fans/fan.entity";
import { InboundMessageRow } from "../../modules/inbox/inboundMessage.entity";
import { InternalMessage } from "../../modules/internal-chat/internalMessage.entity";
import { OutboxMessage } from "../../modules/outbox/outboxMessage.entity";
import { QuickReply, QuickReplyCategory } from "../../modules/quick-replies/quickReply.entity";
import { SettingRow } from "../../modules/settings/setting.entity";
import { AuditLog } from "../../modules/audit/auditLog.entity";
import { WaterAccount, WaterBill, WaterMeterReading, WaterPayment, WaterPriceTier } from "../../modules/water/billing.entity";
import { FanPhone, WaterBillNotice, WaterBinding } from "../../modules/water/binding.entity";
import { MenuDraft, MenuPublication } from "../../modules/menus/menu.entity";
import { FeeStandard, Guide, ServiceOutlet } from "../../modules/guides/guide.entity";
import { Notice, NoticeArea, NoticeEntry, NoticeMedia, NoticeNotification } from "../../modules/notices/notice.entity";
import { PayAnomaly, PayOrder, PayReconciliation, PayRefund } from "../../modules/payments/payment.entity";

export const entities = [
  Fan,
  InboundMessageRow,
  OutboxMessage,
  SettingRow,
  Agent,
  AgentGroup,
  Conversation,
  ConversationEvent,
  ConversationMessage,
  LeaveMessage,
  KeywordRule,
  FanTrail,
  QuickReply,
  QuickReplyCategory,
  InternalMessage,
  Complaint,
  ComplaintEvent,
  Application,
  ApplicationEvent,
  FanUpload,
  WaterPriceTier,
  WaterAccount,
  WaterMeterReading,
  WaterBill,
  WaterPayment,
  FanPhone,
  WaterBinding,
  WaterBillNotice,
  AuditLog,
  Notice,
  NoticeArea,
  NoticeEntry,
  NoticeNotification,
  NoticeMedia,
  PayOrder,
  PayRefund,
  PayAnomaly,
  PayReconciliation,
  MenuDraft,
  MenuPublication,
  Guide,
  FeeStandard,
  ServiceOutlet,
];
