import type { Menu } from "../../wechat/api/menu";
import { h5Link, WATER_BILL_MENU_KEY } from "../water/billChat";

/** The CLICK key of 联系客服: the menus module puts the fan in the human queue. */
export const CONTACT_AGENT_MENU_KEY = "CONTACT_AGENT";

/**
 * The menu a new installation starts with (the initial draft; the sandbox publishes it on first start).
 * View items open the H5 pages through the silent web OAuth, so the page knows the fan at once.
 */
export function defaultMenu(publicUrl: string): Menu {
  const page = (name: string, route: string) => ({ type: "view" as const, name, url: h5Link(publicUrl, route) });
  return {
    button: [
      {
        name: "我的用水",
        sub_button: [
          page("用户绑定", "/bind"),
          page("账单订阅", "/subscribe"),
          { type: "click", name: "水费查询", key: WATER_BILL_MENU_KEY },
          page("在线缴费", "/pay"),
        ],
      },
      {
        name: "用水指南",
        sub_button: [page("用水申请", "/applications"), page("业务流程", "/guides"), page("收费标准", "/fees"), page("营业网点", "/outlets")],
      },
      {
        name: "水务资讯",
        sub_button: [
          page("停水通知", "/notices?kind=outage"),
          page("水质公告", "/notices?kind=quality"),
          page("企业动态", "/notices?kind=news"),
          { type: "click", name: "联系客服", key: CONTACT_AGENT_MENU_KEY },
        ],
      },
    ],
  };
}
