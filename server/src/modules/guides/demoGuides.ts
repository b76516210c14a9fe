import type { DataSource } from "typeorm";
import type { Clock } from "../../infra/clock";
import { newId } from "../../infra/ids";
import { DEMO_PRICE_TIERS } from "../water/tariff";
import { FeeStandard, Guide, ServiceOutlet } from "./guide.entity";

/**
 * Demo guides, fee standards and outlets (DEMO VALUES, no real utility's). The residential standard
 * copies the built-in billing tariff (tariff.ts) so the published table and the demo bills agree; the
 * outlets sit in one city, near the demo accounts' districts. Each table is seeded only when empty.
 */

export const DEMO_GUIDES = [
  {
    title: "个人用水开户",
    category: "开户过户",
    summary: "新房入住、首次用水的居民办理用水开户。",
    steps: [
      "准备材料：户主身份证原件、房产证或购房合同、不动产权证书复印件。",
      "在公众号“用水指南 → 用水申请”在线提交，或到任一营业网点窗口办理。",
      "工作人员 1 个工作日内审核资料，审核通过后预约上门装表时间。",
      "装表通水，户号和查询密码以短信发送，可在公众号绑定户号。",
    ],
    body: "办理费用：免费（水表由供水企业提供）。\n办理时限：资料齐全的 3 个工作日内完成。",
  },
  {
    title: "用水户过户",
    category: "开户过户",
    summary: "房屋买卖、继承等产权变更后，将用水户名变更为新户主。",
    steps: [
      "结清原户名下全部水费。",
      "准备材料：新户主身份证、新的不动产权证书、原户号。",
      "线上提交“用水申请 → 户改/过户”或到营业网点办理。",
      "审核通过后当日生效，新户主可重新绑定户号并设置查询密码。",
    ],
    body: "办理费用：免费。\n注意：过户前的欠费由原户主负责结清。",
  },
  {
    title: "水表校验",
    category: "水表",
    summary: "对水表计量有疑问时申请校验。",
    steps: ["线上提交“用水申请 → 水表校验”，支付校验费 25 元。", "工作人员上门拆表送检，并临时换装备用水表。", "检定机构出具校验报告（约 5 个工作日）。", "水表误差超出国家标准的，免收校验费并按规定退补水费。"],
    body: "校验费：25 元/次；校验结果为水表不合格时全额退还。",
  },
  {
    title: "水费缴纳方式",
    category: "缴费",
    summary: "线上线下多种方式缴纳水费。",
    steps: ["公众号“我的用水 → 在线缴费”，微信支付即时到账。", "到任一营业网点窗口缴费（现金、银行卡、扫码）。", "银行代扣：携带银行卡和户号到营业网点签约。"],
    body: "每月 5 日出账，请于当月 25 日前缴清；逾期将按规定收取滞纳金。",
  },
];

export const DEMO_FEE_STANDARDS = [
  {
    name: "居民生活用水",
    description: "城镇居民家庭生活用水，按户按月实行阶梯水价。",
    period: "month" as const,
    tiers: DEMO_PRICE_TIERS.map(({ lowerM3, upperM3, unitPriceFen }) => ({ lowerM3, upperM3, unitPriceFen })),
    notes: "以上价格含污水处理费。家庭人口 5 人及以上的，可凭户口簿到营业网点申请增加阶梯水量。",
    billingTariff: true,
  },
  {
    name: "非居民用水",
    description: "机关、学校、企事业单位、商业经营等用水。",
    period: "month" as const,
    tiers: [{ lowerM3: 0, upperM3: null, unitPriceFen: 520 }],
    notes: "以上价格含污水处理费。",
    billingTariff: false,
  },
  {
    name: "特种行业用水",
    description: "洗车、洗浴、纯净水生产等特种行业用水。",
    period: "month" as const,
    tiers: [{ lowerM3: 0, upperM3: null, unitPriceFen: 1850 }],
    notes: "以上价格含污水处理费。",
    billingTariff: false,
  },
];

/** GCJ-02 coordinates in one city, spread so "nearest" differs by district. */
export const DEMO_OUTLETS = [
  { name: "湖滨营业厅（服务中心）", address: "湖滨路 26 号", hours: "周一至周日 8:30–17:30", phone: "0571-96390", services: "缴费、开户、过户、水表校验、发票", latitude: 30.2591, longitude: 120.1664 },
  { name: "城东营业厅", address: "建设路 189 号", hours: "周一至周六 8:30–17:00", phone: "0571-86012345", services: "缴费、开户、过户", latitude: 30.2905, longitude: 120.2012 },
  { name: "城西营业厅", address: "人民路 56 号", hours: "周一至周五 8:30–17:00", phone: "0571-87023456", services: "缴费、开户、过户", latitude: 30.2741, longitude: 120.1201 },
  { name: "高新营业厅", address: "学府街 18 号", hours: "周一至周五 9:00–17:00", phone: "0571-88034567", services: "缴费、水表校验", latitude: 30.189, longitude: 120.2065 },
];

export async function seedGuidesDemo(dataSource: DataSource, clock: Clock): Promise<void> {
  const now = clock.now();
  const stamp = (position: number) => ({ id: newId(), position, createdAt: now, updatedAt: now });
  if ((await dataSource.getRepository(Guide).count()) === 0) {
    await dataSource.getRepository(Guide).insert(DEMO_GUIDES.map((guide, i) => ({ ...guide, ...stamp(i), published: true })));
  }
  if ((await dataSource.getRepository(FeeStandard).count()) === 0) {
    await dataSource.getRepository(FeeStandard).insert(DEMO_FEE_STANDARDS.map((standard, i) => ({ ...standard, ...stamp(i) })));
  }
  if ((await dataSource.getRepository(ServiceOutlet).count()) === 0) {
    await dataSource.getRepository(ServiceOutlet).insert(DEMO_OUTLETS.map((outlet, i) => ({ ...outlet, ...stamp(i) })));
  }
}
