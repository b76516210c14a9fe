import type { DataSource } from "typeorm";
import type { Clock } from "../../infra/clock";
import type { Logger } from "../../infra/logger";
import type { SessionStore } from "../agents/sessions";
import type { Settings } from "../settings/settings";

/** What the notice commands and routes need from the server. */
export interface NoticesDeps {
  dataSource: DataSource;
  clock: Clock;
  settings: Settings;
  logger: Logger;
  /** Base URL fans reach the server at (the H5 link in the outage template message). */
  publicUrl: string;
  /** Console sessions (admin routes). */
  sessions: SessionStore;
  /** The template id used when the setting is empty (the sandbox's demo id; null outside the sandbox). */
  fallbackOutageTemplateId: string | null;
  /** Asks the outbox to send now, after a transaction that enqueued rows committed. */
  wakeOutbox(): void;
}
