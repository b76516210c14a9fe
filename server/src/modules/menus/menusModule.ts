import { createMenusRouter } from "../../http/console/menus";
import type { InboundMessage } from "../../wechat/callback/messages";
import { conversationReplyHook } from "../conversations/inboundRouter";
import { conversationsService } from "../conversations/conversationsModule";
import type { ModuleInstaller } from "../module";
import { WATER_BILL_MENU_KEY } from "../water/billChat";
import { CONTACT_AGENT_MENU_KEY } from "./defaultMenu";
import { menuClickRegistry, menuClickRouter } from "./menuClicks";
import { ensureDraft, republishForSandbox, type MenusDeps } from "./menus";

/**
 * What the fan's tap on 联系客服 becomes in the conversation: a request for a human, as if typed, so
 * the conversations module applies its own rules (blacklist, service hours, queue, the queued text).
 * "人工" makes it a human request; no "客服" in it, so a keyword rule about 客服 does not swallow it.
 */
export const CONTACT_AGENT_TEXT = "【点击菜单】转人工";

/**
 * Custom menus: the editor's draft (seeded with the default menu), publishing through the outbox, the
 * read-back, the welcome text, and the click keys. Installed after conversations and water: 联系客服
 * routes through the conversations module, 水费查询 is answered by water's own router.
 */
export const installMenus: ModuleInstaller = (context) => {
  const clicks = menuClickRegistry(context.services);
  const deps: MenusDeps = {
    dataSource: context.dataSource,
    clock: context.clock,
    settings: context.settings,
    wechat: context.wechat,
    logger: context.logger.child({ component: "menus" }),
    publicUrl: context.config.publicUrl,
    clicks,
    wakeOutbox: () => context.dispatcher.wake(),
  };

  clicks.register({ key: WATER_BILL_MENU_KEY, label: "水费查询：回复已绑定户号的最新账单" });
  const humanService = conversationReplyHook(conversationsService(context).deps);
  clicks.register({
    key: CONTACT_AGENT_MENU_KEY,
    label: "联系客服：转人工客服排队",
    answer: (message, inbound) => {
      // The click's inbound id becomes the conversation message's id: a rerun (the sweep) changes nothing.
      const request: InboundMessage = {
        kind: "text",
        msgId: message.dedupeKey,
        content: CONTACT_AGENT_TEXT,
        toUserName: message.toUserName,
        fromUserName: message.fromUserName,
        createTime: message.createTime,
        dedupeKey: message.dedupeKey,
        rawXml: message.rawXml,
      };
      return humanService(request, inbound);
    },
  });
  context.inbox.addRouter(menuClickRouter(clicks));

  return {
    name: "menus",
    routers: [createMenusRouter({ ...deps, sessions: context.sessions })],
    start: async () => {
      await ensureDraft(deps);
      // The fake WeChat keeps its menu in memory: publish so the simulator shows one.
      if (context.sandbox && context.config.seedDemo && !context.sandbox.fake.menu) await republishForSandbox(deps);
    },
  };
};
