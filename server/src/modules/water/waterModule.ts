import { createFanOAuthRouter } from "../../http/fan/oauth";
import { createFanWaterRouter } from "../../http/fan/water";
import { recordAudit } from "../audit/audit";
import { createAuditRouter } from "../audit/auditRouter";
import { addConversationBypass } from "../conversations/inboundRouter";
import { WATER_ACCOUNTS_SERVICE, type WaterAccountsOfFan } from "../customers/profile";
import type { ModuleInstaller } from "../module";
import { bindingsOf, presentBinding } from "./accounts";
import { isWaterBillRequest, waterBillChatRouter } from "./billChat";
import { BILLING_GATEWAY_SERVICE, type BillingGateway } from "./billingGateway";
import { BillPushJob } from "./billPush";
import { BuiltinBillingGateway } from "./builtinBillingGateway";
import type { WaterDeps } from "./deps";
import { createFanSessions } from "./fanSessions";
import { HttpBillingGateway } from "./httpBillingGateway";
import { HttpSmsProvider } from "./httpSmsProvider";
import { createWaterSandboxRouter } from "./sandboxRoutes";
import { SandboxSmsProvider, SmsVerification, UnconfiguredSmsProvider, type SmsProvider } from "./sms";

/** Where the water module registers its service in ServerContext.services. */
export const WATER_SERVICE = "water";

export interface WaterService {
  deps: WaterDeps;
  gateway: BillingGateway;
  billPush: BillPushJob;
  /** The sandbox's SMS provider (codes readable at /sandbox/api/sms); null outside the sandbox. */
  sandboxSms: SandboxSmsProvider | null;
  /** Plugs in the SMS gateway (outside the sandbox nothing is sent until one is set). */
  setSmsProvider(provider: SmsProvider): void;
}

/**
 * Water services, first slice: the billing gateway (built-in tables, or the external system at
 * BILLING_API_BASE), fan identity for H5 pages (web OAuth → fan session), SMS-verified phone, account
 * binding, bills with audit, bill subscriptions and the monthly template push, and 查水费 in chat.
 * Installed after conversations: it registers a bypass so 查水费 never queues a human conversation.
 */
export const installWater: ModuleInstaller = (context) => {
  const { config, dataSource, clock, kv } = context;
  const logger = context.logger.child({ component: "water" });
  const gateway: BillingGateway = config.billing.apiBase ? new HttpBillingGateway({ baseUrl: config.billing.apiBase }) : new BuiltinBillingGateway(dataSource, clock);
  // The utility's SMS platform when configured; else the sandbox's stand-in (codes shown on the page).
  const sandboxSms = context.sandbox && !config.sms.apiBase ? new SandboxSmsProvider(kv) : null;
  let smsProvider: SmsProvider = config.sms.apiBase ? new HttpSmsProvider(config.sms.apiBase) : (sandboxSms ?? new UnconfiguredSmsProvider());
  if (smsProvider instanceof UnconfiguredSmsProvider) logger.warn("no SMS platform configured (SMS_API_BASE): fans cannot verify phones");

  const deps: WaterDeps = {
    dataSource,
    clock,
    kv,
    settings: context.settings,
    logger,
    publicUrl: config.publicUrl,
    sandbox: config.sandbox,
    gateway,
    sms: new SmsVerification(kv, clock, () => smsProvider, logger),
    fanSessions: createFanSessions(kv),
    consoleSessions: context.sessions,
    wakeOutbox: () => context.dispatcher.wake(),
  };
  const billPush = new BillPushJob(deps);

  context.services.set(BILLING_GATEWAY_SERVICE, gateway);
  // The customer profile beside the chat lists the fan's bound accounts; an agent's look is audited like a fan's.
  const accountsOfFan: WaterAccountsOfFan = async (openid, viewer) => {
    const bindings = await bindingsOf(deps, openid);
    await recordAudit(
      dataSource,
      clock,
      bindings.map((binding) => ({ actorType: "agent" as const, actorId: viewer.agentId, action: "account.view" as const, customerNumber: binding.customerNumber, detail: { fanOpenid: openid, via: "customer_profile" }, ip: viewer.ip })),
    );
    return bindings.map(presentBinding);
  };
  context.services.set(WATER_ACCOUNTS_SERVICE, accountsOfFan);
  // 查水费 (keyword or menu key) is answered here, never queued for an agent.
  addConversationBypass(context.services, isWaterBillRequest);
  context.inbox.addRouter(waterBillChatRouter(deps));

  const service: WaterService = {
    deps,
    gateway,
    billPush,
    sandboxSms,
    setSmsProvider: (provider) => {
      smsProvider = provider;
    },
  };
  context.services.set(WATER_SERVICE, service);

  return {
    name: "water",
    routers: [
      createFanOAuthRouter({ config, kv, wechat: context.wechat, fanSessions: deps.fanSessions, logger }),
      createFanWaterRouter(deps),
      createAuditRouter({ dataSource, sessions: context.sessions }),
      ...(context.sandbox ? [createWaterSandboxRouter({ config, sandbox: context.sandbox, sms: sandboxSms })] : []),
    ],
    start: () => billPush.start(),
    stop: () => billPush.stop(),
  };
};
