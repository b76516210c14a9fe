import type { DataSource } from "typeorm";
import type { Clock } from "../../infra/clock";
import type { KeyValueStore } from "../../infra/kv/keyValueStore";
import type { Logger } from "../../infra/logger";
import type { SessionStore } from "../agents/sessions";
import type { Settings } from "../settings/settings";
import type { BillingGateway } from "./billingGateway";
import type { SmsVerification } from "./sms";

/** What the water commands and routes need from the server. */
export interface WaterDeps {
  dataSource: DataSource;
  clock: Clock;
  kv: KeyValueStore;
  settings: Settings;
  logger: Logger;
  /** Base URL fans reach the server at (H5 links in chat and template messages). */
  publicUrl: string;
  /** Sandbox mode: the H5 pages show stand-ins (the SMS code, the pay confirm sheet) instead of WeChat's. */
  sandbox: boolean;
  gateway: BillingGateway;
  sms: SmsVerification;
  /** Fans' H5 sessions (not the console's). */
  fanSessions: SessionStore;
  /** Console sessions, for the admin audit route. */
  consoleSessions: SessionStore;
  /** Asks the outbox to send now, after a transaction that enqueued rows committed. */
  wakeOutbox(): void;
}
