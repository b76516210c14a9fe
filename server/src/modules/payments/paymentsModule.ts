import { createConsolePaymentsRouter } from "../../http/console/payments";
import { createFanPaymentsRouter } from "../../http/fan/payments";
import { createPayNotifyRouter } from "../../http/pay/notify";
import { createPay } from "../../wechat/pay/notifications";
import type { ModuleInstaller } from "../module";
import { BILLING_GATEWAY_SERVICE, type BillingGateway } from "../water/billingGateway";
import { WATER_SERVICE, type WaterService } from "../water/waterModule";
import { APPLICATION_FEES_SERVICE, type ApplicationFees, type PaymentsDeps } from "./deps";
import { PaymentJobs } from "./jobs";

/** Where the payments module registers itself in ServerContext.services (tests and the sandbox reach in). */
export const PAYMENTS_SERVICE = "payments";

export interface PaymentsService {
  deps: PaymentsDeps;
  jobs: PaymentJobs;
}

/**
 * Payments with WeChat Pay (JSAPI in the H5 pages): orders for bills, top-ups and application fees,
 * the pay and refund notifications, the query/close/credit job, refunds and the daily reconciliation.
 * Installed after water: it uses the billing gateway and the fans' bindings.
 */
export const installPayments: ModuleInstaller = (context) => {
  const logger = context.logger.child({ component: "payments" });
  const water = context.services.get(WATER_SERVICE) as WaterService | undefined;
  const billing = context.services.get(BILLING_GATEWAY_SERVICE) as BillingGateway | undefined;
  if (!water || !billing) throw new Error("payments: install the water module first");
  const pay = createPay(context.config, { clock: context.clock, logger: logger.child({ component: "wechat-pay" }) });
  if (!pay) logger.warn("WeChat Pay is not configured (WECHATPAY_*): fans cannot pay online");

  const deps: PaymentsDeps = {
    dataSource: context.dataSource,
    clock: context.clock,
    kv: context.kv,
    settings: context.settings,
    logger,
    pay,
    billing,
    water: water.deps,
    publicUrl: context.config.publicUrl,
    sandbox: Boolean(context.sandbox),
    wakeOutbox: () => context.dispatcher.wake(),
    applicationFees: () => (context.services.get(APPLICATION_FEES_SERVICE) as ApplicationFees | undefined) ?? null,
  };
  const jobs = new PaymentJobs(deps);
  context.services.set(PAYMENTS_SERVICE, { deps, jobs } satisfies PaymentsService);

  return {
    name: "payments",
    routers: [createPayNotifyRouter(deps), createFanPaymentsRouter(deps), createConsolePaymentsRouter({ ...deps, sessions: context.sessions })],
    start: async () => {
      // Certificate mode: have the platform certificates before the first notification needs them.
      if (pay) void pay.warmUp();
      await jobs.start();
    },
    stop: () => jobs.stop(),
  };
};
