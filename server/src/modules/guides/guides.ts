import type { DataSource, EntityTarget, FindOptionsWhere, ObjectLiteral } from "typeorm";
import { notFound } from "../../http/errors";
import type { Clock } from "../../infra/clock";
import { newId } from "../../infra/ids";
import { recordAudit } from "../audit/audit";
import { WaterPriceTier } from "../water/billing.entity";
import { sortByDistance, type LatLng } from "./distance";
import { FeeStandard, Guide, ServiceOutlet, type FeeTier } from "./guide.entity";
import type { FeeStandardInput, GuideInput, OutletInput } from "./schemas";

/**
 * Guides, fee standards and service outlets: admin CRUD (each change audited as guides.change) and the
 * fans' read side. Lists are ordered by `position`, then creation (ids are time-ordered).
 */

export interface GuidesDeps {
  dataSource: DataSource;
  clock: Clock;
  /** True when bills come from the built-in tables, whose tariff (water_price_tier) we can compare with. */
  builtinBilling: boolean;
}

type Actor = { id: string };
type Kind = "guide" | "fee_standard" | "outlet";

const NOT_FOUND: Record<Kind, string> = { guide: "办事指南不存在", fee_standard: "收费标准不存在", outlet: "营业网点不存在" };
const ENTITY: Record<Kind, EntityTarget<ObjectLiteral>> = { guide: Guide, fee_standard: FeeStandard, outlet: ServiceOutlet };

// ---- presenters ----

export function presentGuide(guide: Guide) {
  return {
    id: guide.id,
    title: guide.title,
    category: guide.category,
    summary: guide.summary,
    steps: guide.steps,
    body: guide.body,
    position: guide.position,
    published: guide.published,
    updatedAt: guide.updatedAt.toISOString(),
  };
}

export function presentFeeStandard(standard: FeeStandard) {
  return {
    id: standard.id,
    name: standard.name,
    description: standard.description,
    period: standard.period,
    tiers: standard.tiers.map((tier, index) => ({ tier: index + 1, ...tier, label: tierLabel(tier, index) })),
    notes: standard.notes,
    billingTariff: standard.billingTariff,
    position: standard.position,
    updatedAt: standard.updatedAt.toISOString(),
  };
}

export function presentOutlet(outlet: ServiceOutlet) {
  return {
    id: outlet.id,
    name: outlet.name,
    address: outlet.address,
    hours: outlet.hours,
    phone: outlet.phone,
    services: outlet.services,
    latitude: outlet.latitude,
    longitude: outlet.longitude,
    position: outlet.position,
    updatedAt: outlet.updatedAt.toISOString(),
  };
}

const CHINESE_ORDINALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/** "第一阶梯（0–18 m³）", as the billing tariff labels its tiers; a single unbounded tier is the flat price. */
export function tierLabel(tier: FeeTier, index: number): string {
  if (index === 0 && tier.lowerM3 === 0 && tier.upperM3 === null) return "统一价格";
  const range = tier.upperM3 === null ? `${tier.lowerM3} m³ 以上` : `${tier.lowerM3}–${tier.upperM3} m³`;
  return `第${CHINESE_ORDINALS[index] ?? index + 1}阶梯（${range}）`;
}

// ---- guides ----

export async function listGuides(deps: GuidesDeps, options: { publishedOnly: boolean; category?: string }) {
  const where: FindOptionsWhere<Guide> = {};
  if (options.publishedOnly) where.published = true;
  if (options.category) where.category = options.category;
  const guides = await deps.dataSource.getRepository(Guide).find({ where, order: { position: "ASC", id: "ASC" } });
  return guides.map(presentGuide);
}

export async function getGuide(deps: GuidesDeps, id: string, options: { publishedOnly: boolean }) {
  const guide = await deps.dataSource.getRepository(Guide).findOneBy({ id });
  if (!guide || (options.publishedOnly && !guide.published)) throw notFound(NOT_FOUND.guide);
  return presentGuide(guide);
}

export async function createGuide(deps: GuidesDeps, actor: Actor, input: GuideInput) {
  const now = deps.clock.now();
  const guide: Guide = { id: newId(), ...input, createdAt: now, updatedAt: now };
  await deps.dataSource.getRepository(Guide).insert(guide);
  await audit(deps, actor, "guide", guide.id, "create");
  return presentGuide(guide);
}

export async function updateGuide(deps: GuidesDeps, actor: Actor, id: string, input: GuideInput) {
  await update(deps, "guide", id, input);
  await audit(deps, actor, "guide", id, "update");
  return presentGuide((await deps.dataSource.getRepository(Guide).findOneBy({ id }))!);
}

// ---- fee standards ----

export async function listFeeStandards(deps: GuidesDeps) {
  const standards = await deps.dataSource.getRepository(FeeStandard).find({ order: { position: "ASC", id: "ASC" } });
  return standards.map(presentFeeStandard);
}

/**
 * The admin view adds whether the standard marked as the billing tariff matches the built-in billing
 * tables: bills are computed by the billing system, so a difference means fans read one price and pay
 * another. `null` when the bills come from an external system we cannot read the tariff of.
 */
export async function feeStandardsForAdmin(deps: GuidesDeps) {
  const standards = await listFeeStandards(deps);
  const billing = deps.builtinBilling ? await deps.dataSource.getRepository(WaterPriceTier).find({ order: { tier: "ASC" } }) : null;
  const billingTiers: FeeTier[] | null = billing && billing.length > 0 ? billing.map((t) => ({ lowerM3: t.lowerM3, upperM3: t.upperM3, unitPriceFen: t.unitPriceFen })) : null;
  return {
    standards: standards.map((standard) => ({
      ...standard,
      matchesBilling: standard.billingTariff && billingTiers ? standard.period === "month" && sameTiers(standard.tiers, billingTiers) : null,
    })),
    billingTiers,
  };
}

export function sameTiers(a: FeeTier[], b: FeeTier[]): boolean {
  return a.length === b.length && a.every((tier, i) => tier.lowerM3 === b[i].lowerM3 && tier.upperM3 === b[i].upperM3 && tier.unitPriceFen === b[i].unitPriceFen);
}

export async function createFeeStandard(deps: GuidesDeps, actor: Actor, input: FeeStandardInput) {
  const now = deps.clock.now();
  const standard: FeeStandard = { id: newId(), ...input, createdAt: now, updatedAt: now };
  await deps.dataSource.getRepository(FeeStandard).insert(standard);
  await audit(deps, actor, "fee_standard", standard.id, "create");
  return presentFeeStandard(standard);
}

export async function updateFeeStandard(deps: GuidesDeps, actor: Actor, id: string, input: FeeStandardInput) {
  await update(deps, "fee_standard", id, input);
  await audit(deps, actor, "fee_standard", id, "update");
  return presentFeeStandard((await deps.dataSource.getRepository(FeeStandard).findOneBy({ id }))!);
}

// ---- outlets ----

/** Nearest first when the fan's position is known, otherwise by name. */
export async function listOutletsNear(deps: GuidesDeps, from: LatLng | null) {
  const outlets = (await deps.dataSource.getRepository(ServiceOutlet).find()).map(presentOutlet);
  return sortByDistance(outlets, from);
}

export async function listOutlets(deps: GuidesDeps) {
  const outlets = await deps.dataSource.getRepository(ServiceOutlet).find({ order: { position: "ASC", id: "ASC" } });
  return outlets.map(presentOutlet);
}

export async function getOutlet(deps: GuidesDeps, id: string) {
  const outlet = await deps.dataSource.getRepository(ServiceOutlet).findOneBy({ id });
  if (!outlet) throw notFound(NOT_FOUND.outlet);
  return presentOutlet(outlet);
}

export async function createOutlet(deps: GuidesDeps, actor: Actor, input: OutletInput) {
  const now = deps.clock.now();
  const outlet: ServiceOutlet = { id: newId(), ...input, createdAt: now, updatedAt: now };
  await deps.dataSource.getRepository(ServiceOutlet).insert(outlet);
  await audit(deps, actor, "outlet", outlet.id, "create");
  return presentOutlet(outlet);
}

export async function updateOutlet(deps: GuidesDeps, actor: Actor, id: string, input: OutletInput) {
  await update(deps, "outlet", id, input);
  await audit(deps, actor, "outlet", id, "update");
  return presentOutlet((await deps.dataSource.getRepository(ServiceOutlet).findOneBy({ id }))!);
}

// ---- shared ----

export async function deleteItem(deps: GuidesDeps, actor: Actor, kind: Kind, id: string): Promise<void> {
  const result = await deps.dataSource.getRepository(ENTITY[kind]).delete({ id });
  if (!result.affected) throw notFound(NOT_FOUND[kind]);
  await audit(deps, actor, kind, id, "delete");
}

async function update(deps: GuidesDeps, kind: Kind, id: string, input: object): Promise<void> {
  const result = await deps.dataSource.getRepository(ENTITY[kind]).update({ id }, { ...input, updatedAt: deps.clock.now() });
  if (!result.affected) throw notFound(NOT_FOUND[kind]);
}

async function audit(deps: GuidesDeps, actor: Actor, kind: Kind, id: string, op: "create" | "update" | "delete"): Promise<void> {
  await recordAudit(deps.dataSource, deps.clock, { actorType: "agent", actorId: actor.id, action: "guides.change", detail: { kind, id, op } });
}
