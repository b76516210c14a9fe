import type { DataSource } from "typeorm";
import type { Clock } from "../../infra/clock";
import type { Logger } from "../../infra/logger";
import type { SessionStore } from "../agents/sessions";
import type { Settings } from "../settings/settings";
import type { SmsVerification } from "../water/sms";
import type { FanUploads } from "./fanUploads";

/** What the application commands and routes need from the server. */
export interface ApplicationDeps {
  dataSource: DataSource;
  clock: Clock;
  settings: Settings;
  logger: Logger;
  /** Base URL fans reach the server at (H5 links in notifications). */
  publicUrl: string;
  /** The water module's SMS verification: an application's phone is verified with a fresh code. */
  sms: SmsVerification;
  uploads: FanUploads;
  fanSessions: SessionStore;
  consoleSessions: SessionStore;
  wakeOutbox(): void;
  /** The template id used when the setting is empty: the sandbox's demo id (its fake WeChat accepts any); null outside it. */
  fallbackTemplateId: string | null;
}
