import type { DataSource } from "typeorm";
import type { ApplicationFees } from "../applications/applicationFees";
import type { Clock } from "../../infra/clock";
import type { KeyValueStore } from "../../infra/kv/keyValueStore";
import type { Logger } from "../../infra/logger";
import type { Pay } from "../../wechat/pay/notifications";
import type { Settings } from "../settings/settings";
import type { BillingGateway } from "../water/billingGateway";
import type { WaterDeps } from "../water/deps";

/**
 * The application-fee contract (applications module), looked up in context.services at call time:
 * without it, application-fee payments answer 503.
 */
export { APPLICATION_FEES_SERVICE, type ApplicationFees } from "../applications/applicationFees";

/** What the payment commands, jobs and routes need from the server. */
export interface PaymentsDeps {
  dataSource: DataSource;
  clock: Clock;
  kv: KeyValueStore;
  settings: Settings;
  logger: Logger;
  /** WeChat Pay (gateway + notification verifier); null when it is neither configured nor sandboxed. */
  pay: Pay | null;
  billing: BillingGateway;
  /** The water module's deps: fan sessions and the binding ownership lookup. */
  water: WaterDeps;
  /** Base URL of this server as WeChat Pay reaches it (notify URLs). */
  publicUrl: string;
  sandbox: boolean;
  /** Asks the outbox to send now, after a transaction that enqueued rows committed. */
  wakeOutbox(): void;
  /** The application-fee service, if the applications module registered one. */
  applicationFees(): ApplicationFees | null;
}
