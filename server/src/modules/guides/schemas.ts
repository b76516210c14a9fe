import { z } from "zod";
import { paragraph, words } from "../../http/console/authInput";
import type { FeeTier } from "./guide.entity";

/** Request schemas of the guides admin routes (zh-CN messages), and the fee tier rule. */

const position = z.number({ error: "排序必须是数字" }).int({ message: "排序必须是整数" }).min(0, { message: "排序不能小于 0" }).max(9999, { message: "排序最大 9999" });

export const guideSchema = z.object({
  title: words("标题", 100),
  category: words("分类", 30),
  summary: paragraph("简介", 300, { allowEmpty: true }).default(""),
  steps: z
    .array(paragraph("办理步骤", 500), { error: "办理步骤必须是列表" })
    .min(1, { message: "请至少填写 1 个办理步骤" })
    .max(20, { message: "办理步骤最多 20 个" }),
  body: paragraph("说明", 5000, { allowEmpty: true }).default(""),
  position: position.default(0),
  published: z.boolean({ error: "是否发布必须是布尔值" }).default(true),
});
export type GuideInput = z.infer<typeof guideSchema>;

const fen = z
  .number({ error: "单价必须是数字（分）" })
  .int({ message: "单价以分为单位，必须是整数" })
  .min(0, { message: "单价不能为负数" })
  .max(100_000, { message: "单价不能超过 1000 元/立方米" });
const m3 = (label: string) =>
  z.number({ error: `${label}必须是数字` }).int({ message: `${label}必须是整数立方米` }).min(0, { message: `${label}不能为负数` }).max(1_000_000, { message: `${label}过大` });

export const feeTierSchema = z.object({
  lowerM3: m3("起始水量"),
  upperM3: m3("截止水量").nullable(),
  unitPriceFen: fen,
});

/**
 * Tiers must start at 0, follow each other without gap or overlap, and only the last may be unbounded —
 * the same shape the billing tariff has, so every volume falls in exactly one tier.
 */
export function tierProblem(tiers: FeeTier[]): string | null {
  for (const [index, tier] of tiers.entries()) {
    const label = `第 ${index + 1} 阶梯`;
    if (index === 0 && tier.lowerM3 !== 0) return "第 1 阶梯必须从 0 立方米开始";
    if (index > 0 && tier.lowerM3 !== tiers[index - 1].upperM3) return `${label}的起始水量必须等于第 ${index} 阶梯的截止水量（${tiers[index - 1].upperM3 ?? "不限"}）`;
    if (tier.upperM3 === null && index !== tiers.length - 1) return `只有最后一个阶梯可以不设上限（${label}未设上限）`;
    if (tier.upperM3 !== null && tier.upperM3 <= tier.lowerM3) return `${label}的截止水量必须大于起始水量`;
  }
  if (tiers.length > 0 && tiers[tiers.length - 1].upperM3 !== null) return "最后一个阶梯必须不设上限，否则超出的水量无价可算";
  return null;
}

export const feeStandardSchema = z
  .object({
    name: words("名称", 50),
    description: paragraph("适用范围", 300, { allowEmpty: true }).default(""),
    period: z.enum(["month", "year"], { error: "阶梯周期必须是 month（按月）或 year（按年）" }).default("month"),
    tiers: z.array(feeTierSchema, { error: "价格阶梯必须是列表" }).min(1, { message: "请至少填写 1 个价格阶梯" }).max(10, { message: "价格阶梯最多 10 个" }),
    notes: paragraph("备注", 2000, { allowEmpty: true }).default(""),
    billingTariff: z.boolean({ error: "是否为计费阶梯水价必须是布尔值" }).default(false),
    position: position.default(0),
  })
  .superRefine((value, ctx) => {
    const problem = tierProblem(value.tiers);
    if (problem) ctx.addIssue({ code: "custom", path: ["tiers"], message: problem });
  });
export type FeeStandardInput = z.infer<typeof feeStandardSchema>;

const phone = z
  .string({ error: "请填写联系电话" })
  .trim()
  .regex(/^[0-9+\-() ]{5,30}$/, { message: "联系电话只能包含数字、空格和 + - ( )，5–30 位" });

export const outletSchema = z.object({
  name: words("网点名称", 50),
  address: words("地址", 200),
  hours: words("营业时间", 100),
  phone,
  services: paragraph("办理业务", 200, { allowEmpty: true }).default(""),
  latitude: z.number({ error: "纬度必须是数字" }).min(-90, { message: "纬度应在 -90 到 90 之间" }).max(90, { message: "纬度应在 -90 到 90 之间" }),
  longitude: z.number({ error: "经度必须是数字" }).min(-180, { message: "经度应在 -180 到 180 之间" }).max(180, { message: "经度应在 -180 到 180 之间" }),
  position: position.default(0),
});
export type OutletInput = z.infer<typeof outletSchema>;

/** The fan's position for "near me": both or neither; anything unusable means "no position". */
export const nearQuerySchema = z.object({
  lat: z.coerce.number({ error: "纬度必须是数字" }).min(-90, { message: "纬度应在 -90 到 90 之间" }).max(90, { message: "纬度应在 -90 到 90 之间" }).optional(),
  lng: z.coerce.number({ error: "经度必须是数字" }).min(-180, { message: "经度应在 -180 到 180 之间" }).max(180, { message: "经度应在 -180 到 180 之间" }).optional(),
});
