import type { DataSource } from "typeorm";
import type { Clock } from "../../infra/clock";
import { newId } from "../../infra/ids";
import { Notice, NoticeArea, NoticeEntry, type NoticeKind, type OutageType } from "./notice.entity";

/**
 * Demo notices of the embedded default: an ongoing and an upcoming planned outage, a repair with a
 * three-update timeline, quality and pressure bulletins and company news, all published. Seeded into an
 * empty notice table only. Area names are the demo water accounts' (demoWater.ts).
 */

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** The demo repair photo: a tiny inline drawing (a pipe in a trench), so the demo needs no file storage. */
const DEMO_REPAIR_PHOTO =
  "data:image/svg+xml;charset=utf-8," +
  (
    "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 64 36'><rect width='64' height='36' fill='#d9e6f2'/>" +
    "<rect y='24' width='64' height='12' fill='#8a6d4b'/><rect x='10' y='27' width='44' height='5' rx='2.5' fill='#3d6fa8'/>" +
    "<circle cx='32' cy='29' r='4' fill='#7fb3e6' opacity='.8'/></svg>"
  ).replace(/#/g, "%23");

interface DemoNotice {
  kind: NoticeKind;
  outageType?: OutageType;
  title: string;
  content: string;
  areas: string[];
  startsIn?: number;
  endsIn?: number;
  publishedAgo: number;
  entries?: { kind: "text" | "image"; text: string | null; mediaUrl?: string; ago: number }[];
}

const DEMO_NOTICES: DemoNotice[] = [
  {
    kind: "news",
    title: "微信公众号上线水费查询与账单订阅服务",
    content:
      "为方便广大用户，即日起可在本公众号“我的用水”菜单中绑定户号，查询近三年水费账单，并订阅每月账单提醒。\n\n绑定时需验证手机号，并填写户号、户主姓名和查询密码（见纸质账单）。如有疑问，请点击“联系客服”咨询。",
    areas: [],
    publishedAgo: 20 * DAY,
  },
  {
    kind: "quality",
    title: "2026年10月出厂水及管网水水质公告",
    content:
      "根据《生活饮用水卫生标准》（GB 5749-2022），我公司对出厂水、管网水进行了例行检测。\n\n出厂水：浑浊度 0.12 NTU，余氯 0.45 mg/L，菌落总数未检出，总大肠菌群未检出。\n管网水：浑浊度 0.18 NTU，余氯 0.21 mg/L，各项指标均符合国家标准。",
    areas: [],
    publishedAgo: 12 * DAY,
  },
  {
    kind: "pressure",
    title: "高新片区夜间供水压力调整公告",
    content: "因高新片区加压泵站设备检修，11月每日 23:00 至次日 5:00 该片区供水压力将略有降低，高层用户可能出现水压偏小，白天供水不受影响。",
    areas: ["高新片区"],
    publishedAgo: 6 * DAY,
  },
  {
    kind: "outage",
    outageType: "planned",
    title: "滨江路供水管网改造计划停水",
    content: "因滨江路供水管网改造施工，届时城东片区滨江路、建设路沿线用户将暂停供水。请提前做好储水准备，施工完成后将尽快恢复供水，恢复初期水质可能略有浑浊，放水片刻即可。",
    areas: ["城东片区"],
    startsIn: -2 * HOUR,
    endsIn: 6 * HOUR,
    publishedAgo: 2 * DAY,
  },
  {
    kind: "outage",
    outageType: "planned",
    title: "湖滨路阀门更换计划停水",
    content: "因湖滨路主干管阀门更换，城西片区、湖滨片区部分用户将暂停供水，请提前储水。",
    areas: ["城西片区", "湖滨片区"],
    startsIn: 2 * DAY,
    endsIn: 2 * DAY + 8 * HOUR,
    publishedAgo: 1 * DAY,
  },
  {
    kind: "repair",
    title: "人民路 DN300 供水管道爆管抢修",
    content: "人民路与学府街交叉口 DN300 供水管道发生爆管，周边用户水压降低或停水，我公司已组织抢修，进展将在此实时更新。",
    areas: ["城西片区"],
    startsIn: -5 * HOUR,
    endsIn: 3 * HOUR,
    publishedAgo: 5 * HOUR,
    entries: [
      { kind: "text", text: "抢修人员已到达现场，正在关闭上游阀门、排水并开挖作业面。", ago: 4.5 * HOUR },
      { kind: "image", text: "已找到漏点，管道接口处开裂，正在更换管段。", mediaUrl: DEMO_REPAIR_PHOTO, ago: 2 * HOUR },
      { kind: "text", text: "新管段已安装完成，正在试压，预计 3 小时内恢复供水。", ago: 30 * 60_000 },
    ],
  },
];

export async function seedNoticesDemo(dataSource: DataSource, clock: Clock): Promise<void> {
  if ((await dataSource.getRepository(Notice).count()) > 0) return;
  const now = clock.now().getTime();
  const at = (offset: number) => new Date(now + offset);
  await dataSource.transaction(async (manager) => {
    for (const demo of DEMO_NOTICES) {
      const id = newId();
      const publishedAt = at(-demo.publishedAgo);
      await manager.getRepository(Notice).insert({
        id,
        kind: demo.kind,
        outageType: demo.outageType ?? null,
        title: demo.title,
        content: demo.content,
        startsAt: demo.startsIn !== undefined ? at(demo.startsIn) : null,
        endsAt: demo.endsIn !== undefined ? at(demo.endsIn) : null,
        status: "published",
        publishFrom: publishedAt,
        publishUntil: null,
        firstPublishedAt: publishedAt,
        notifiedAt: null,
        createdBy: "system",
        updatedBy: "system",
        createdAt: publishedAt,
        updatedAt: publishedAt,
      });
      if (demo.areas.length > 0) await manager.getRepository(NoticeArea).insert(demo.areas.map((area) => ({ id: newId(), noticeId: id, area })));
      for (const entry of demo.entries ?? []) {
        await manager.getRepository(NoticeEntry).insert({
          id: newId(),
          noticeId: id,
          kind: entry.kind,
          text: entry.text,
          mediaUrl: entry.mediaUrl ?? null,
          happenedAt: at(-entry.ago),
          createdBy: "system",
          createdAt: at(-entry.ago),
        });
      }
    }
  });
}
