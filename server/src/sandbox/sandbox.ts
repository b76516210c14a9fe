import Router from "@koa/router";
import type { DataSource } from "typeorm";
import type { Config } from "../config";
import { systemClock, type Clock } from "../infra/clock";
import type { Logger } from "../infra/logger";
import { createFakeWechat, type FakeWechatState } from "./fakeWechat";
import { createFakeWechatPay, createSandboxPayRouter, type FakeWechatPayState } from "./fakeWechatPay";
import { createSimulatorRouter } from "./simulator";

export interface Sandbox {
  routers: Router[];
  fake: FakeWechatState;
  /** The fake WeChat Pay (orders, refunds, notifications) behind /sandbox/wechatpay-api. */
  pay: FakeWechatPayState;
}

/**
 * The WeChat stand-in of the embedded default: the fake WeChat API and the fake WeChat Pay mounted on this
 * server, the fan simulator page (/sandbox) that plays the fans' phones against them and against our own
 * /wechat, and the pay confirm sheet's endpoint (/sandbox/pay/confirm).
 */
export function createSandbox(options: { config: Config; dataSource: DataSource; logger: Logger; clock?: Clock }): Sandbox {
  const { config } = options;
  const fake = createFakeWechat({
    appId: config.wechat.appId,
    appSecret: config.wechat.appSecret,
    publicBase: `${config.publicUrl}/sandbox/wechat-api`,
  });
  const api = new Router({ prefix: "/sandbox/wechat-api" });
  api.use(fake.router.routes(), fake.router.allowedMethods());
  const selfUrl = `http://127.0.0.1:${config.port}`;
  const fakePay = createFakeWechatPay({
    clock: options.clock ?? systemClock,
    appId: config.wechat.appId,
    // WeChat retries unacknowledged notifications (15 s, 15 s, 30 s, 3 min, … for a day); the first few.
    retryDelaysMs: [15_000, 15_000, 30_000, 180_000],
    refundSettleMs: 1_000,
    // notify_url is PUBLIC_URL/…, which the server itself may not reach (a proxy's host name).
    rewriteNotifyUrl: (url) => (url.startsWith(config.publicUrl) ? `${selfUrl}${url.slice(config.publicUrl.length)}` : url),
    logger: options.logger.child({ component: "fake-wechatpay" }),
  });
  const payApi = new Router({ prefix: "/sandbox/wechatpay-api" });
  payApi.use(fakePay.router.routes(), fakePay.router.allowedMethods());
  const simulator = createSimulatorRouter({ config, dataSource: options.dataSource, fake: fake.state, logger: options.logger });
  return { routers: [api, payApi, createSandboxPayRouter(fakePay.state), simulator], fake: fake.state, pay: fakePay.state };
}
