import Router from "@koa/router";
import type { DataSource } from "typeorm";
import type { Config } from "../config";
import type { Logger } from "../infra/logger";
import { createFakeWechat, type FakeWechatState } from "./fakeWechat";
import { createSimulatorRouter } from "./simulator";

export interface Sandbox {
  routers: Router[];
  fake: FakeWechatState;
}

/**
 * The WeChat stand-in of the embedded default: the fake WeChat API mounted on this server, and the fan
 * simulator page (/sandbox) that plays the fans' phones against it and against our own /wechat.
 */
export function createSandbox(options: { config: Config; dataSource: DataSource; logger: Logger }): Sandbox {
  const { config } = options;
  const fake = createFakeWechat({
    appId: config.wechat.appId,
    appSecret: config.wechat.appSecret,
    publicBase: `${config.publicUrl}/sandbox/wechat-api`,
  });
  const api = new Router({ prefix: "/sandbox/wechat-api" });
  api.use(fake.router.routes(), fake.router.allowedMethods());
  const simulator = createSimulatorRouter({ config, dataSource: options.dataSource, fake: fake.state, logger: options.logger });
  return { routers: [api, simulator], fake: fake.state };
}
