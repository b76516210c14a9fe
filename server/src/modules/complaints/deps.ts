import type { DataSource } from "typeorm";
import type { Clock } from "../../infra/clock";
import type { Logger } from "../../infra/logger";
import type { SessionStore } from "../agents/sessions";
import type { FanUploads } from "../applications/fanUploads";
import type { Settings } from "../settings/settings";

/** What the complaint commands and routes need from the server. */
export interface ComplaintDeps {
  dataSource: DataSource;
  clock: Clock;
  settings: Settings;
  logger: Logger;
  publicUrl: string;
  uploads: FanUploads;
  fanSessions: SessionStore;
  consoleSessions: SessionStore;
  wakeOutbox(): void;
  /** The result template id used when the setting is empty: the sandbox's demo id; null outside it. */
  fallbackTemplateId: string | null;
}
