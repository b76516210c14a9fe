import { Fan } from "../../modules/fans/fan.entity";
import { InboundMessageRow } from "../../modules/inbox/inboundMessage.entity";
import { OutboxMessage } from "../../modules/outbox/outboxMessage.entity";
import { SettingRow } from "../../modules/settings/setting.entity";

export const entities = [Fan, InboundMessageRow, OutboxMessage, SettingRow];
