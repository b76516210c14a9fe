import { In } from "typeorm";
import { badRequest, conflict, forbidden, HttpError, notFound } from "../../http/errors";
import { newId } from "../../infra/ids";
import { recordAudit } from "../audit/audit";
import { isDuplicateKey, withTransaction } from "../conversations/db";
import type { Bill } from "./billingGateway";
import { FanPhone, WaterBinding } from "./binding.entity";
import type { WaterDeps } from "./deps";
import { MONTH_PATTERN, monthLabel } from "./tariff";

/**
 * A fan's water accounts: binding (verified phone + customer number, owner name and query password),
 * unbinding, listing, bills and the bill subscription. Every route loads the binding by its id AND the
 * fan's openid, so another fan's id is simply not found. Every account or bill read is audited.
 */

/** Failed binding attempts allowed per hour, per fan and per customer number (attempts in flight count). */
export const BIND_ATTEMPTS_PER_FAN = 5;
export const BIND_ATTEMPTS_PER_ACCOUNT = 10;
const BIND_WINDOW_MS = 60 * 60_000;
export const MAX_BINDINGS_PER_FAN = 10;

export interface FanRequest {
  openid: string;
  ip: string | null;
}

/** "张建国" → "张*国", "李四" → "李*". */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return "*";
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${"*".repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

export function presentBinding(binding: WaterBinding) {
  return {
    id: binding.id,
    customerNumber: binding.customerNumber,
    ownerName: binding.ownerNameMasked,
    address: binding.address,
    area: binding.area,
    subscribed: binding.subscribed,
    boundAt: binding.createdAt.toISOString(),
  };
}

export function presentBill(bill: Bill) {
  return {
    month: bill.month,
    monthLabel: monthLabel(bill.month),
    previousReading: bill.previousReading,
    currentReading: bill.currentReading,
    volumeM3: bill.volumeM3,
    amountFen: bill.amountFen,
    tiers: bill.tiers,
    status: bill.status,
    issuedAt: bill.issuedAt.toISOString(),
    paidAt: bill.paidAt?.toISOString() ?? null,
  };
}

const notBound = () => notFound("户号不存在或未绑定");
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The fan's own binding with this id; anything else (another fan's, unknown, malformed) is 404. */
export async function requireBinding(deps: WaterDeps, openid: string, id: string | undefined): Promise<WaterBinding> {
  if (!id || !ID.test(id)) throw notBound();
  const binding = await deps.dataSource.getRepository(WaterBinding).findOneBy({ id, fanOpenid: openid });
  if (!binding) throw notBound();
  return binding;
}

export async function bindingsOf(deps: WaterDeps, openid: string): Promise<WaterBinding[]> {
  return deps.dataSource.getRepository(WaterBinding).find({ where: { fanOpenid: openid }, order: { createdAt: "ASC", id: "ASC" } });
}

export async function listAccounts(deps: WaterDeps, request: FanRequest) {
  const bindings = await bindingsOf(deps, request.openid);
  await recordAudit(
    deps.dataSource,
    deps.clock,
    bindings.map((binding) => ({ actorType: "fan" as const, actorId: request.openid, action: "account.list" as const, customerNumber: binding.customerNumber, ip: request.ip })),
  );
  return bindings.map(presentBinding);
}

/** Takes one attempt from the counter; false (and nothing taken) when the limit is reached. */
async function takeAttempt(deps: WaterDeps, key: string, limit: number): Promise<boolean> {
  const count = await deps.kv.increment(key, 1, BIND_WINDOW_MS);
  if (count <= limit) return true;
  await deps.kv.increment(key, -1, BIND_WINDOW_MS);
  return false;
}

export async function bindAccount(deps: WaterDeps, request: FanRequest, input: { customerNumber: string; ownerName: string; queryPassword: string }) {
  const { openid } = request;
  const phone = await deps.dataSource.getRepository(FanPhone).findOneBy({ openid });
  if (!phone) throw forbidden("请先验证手机号再绑定户号");
  const repository = deps.dataSource.getRepository(WaterBinding);
  if (await repository.existsBy({ fanOpenid: openid, customerNumber: input.customerNumber })) throw conflict("already_bound", "您已绑定该户号");
  if ((await repository.countBy({ fanOpenid: openid })) >= MAX_BINDINGS_PER_FAN) throw conflict("too_many_accounts", `最多可绑定 ${MAX_BINDINGS_PER_FAN} 个户号`);

  // Every attempt holds a slot until it succeeds; failures keep theirs for an hour. Concurrent guesses count too.
  const fanKey = `water:bind:attempts:fan:${openid}`;
  const accountKey = `water:bind:attempts:account:${input.customerNumber}`;
  if (!(await takeAttempt(deps, fanKey, BIND_ATTEMPTS_PER_FAN))) throw new HttpError(429, "bind_too_many_attempts", "验证失败次数过多，请 1 小时后再试");
  if (!(await takeAttempt(deps, accountKey, BIND_ATTEMPTS_PER_ACCOUNT))) {
    await deps.kv.increment(fanKey, -1, BIND_WINDOW_MS);
    throw new HttpError(429, "bind_too_many_attempts", "该户号验证失败次数过多，请 1 小时后再试");
  }
  const giveBack = async () => {
    await deps.kv.increment(fanKey, -1, BIND_WINDOW_MS);
    await deps.kv.increment(accountKey, -1, BIND_WINDOW_MS);
  };

  let matched: boolean;
  try {
    matched = await deps.gateway.checkOwner(input.customerNumber, input.ownerName, input.queryPassword);
  } catch (error) {
    await giveBack(); // the billing system's outage is not the fan's failed attempt
    throw error;
  }
  const account = matched ? await deps.gateway.findAccount(input.customerNumber).catch(async (error) => (await giveBack(), Promise.reject(error))) : null;
  if (!account) {
    await recordAudit(deps.dataSource, deps.clock, { actorType: "fan", actorId: openid, action: "account.bind_failed", customerNumber: input.customerNumber, ip: request.ip });
    // One message for every wrong field, so the answer does not tell which one was right.
    throw badRequest("binding_mismatch", "户号、户主姓名或查询密码不正确");
  }
  await giveBack();

  const now = deps.clock.now();
  const binding = repository.create({
    id: newId(),
    fanOpenid: openid,
    customerNumber: account.customerNumber,
    ownerNameMasked: maskName(account.ownerName),
    address: account.address,
    area: account.area,
    subscribed: false,
    createdAt: now,
    updatedAt: now,
  });
  try {
    await withTransaction(deps.dataSource, async (manager) => {
      await manager.getRepository(WaterBinding).insert(binding);
      await recordAudit(manager, deps.clock, { actorType: "fan", actorId: openid, action: "account.bind", customerNumber: account.customerNumber, detail: { bindingId: binding.id }, ip: request.ip });
    });
  } catch (error) {
    if (isDuplicateKey(error)) throw conflict("already_bound", "您已绑定该户号");
    throw error;
  }
  return presentBinding(binding);
}

export async function unbindAccount(deps: WaterDeps, request: FanRequest, id: string | undefined): Promise<void> {
  const binding = await requireBinding(deps, request.openid, id);
  await withTransaction(deps.dataSource, async (manager) => {
    await manager.getRepository(WaterBinding).delete({ id: binding.id, fanOpenid: request.openid });
    await recordAudit(manager, deps.clock, { actorType: "fan", actorId: request.openid, action: "account.unbind", customerNumber: binding.customerNumber, detail: { bindingId: binding.id }, ip: request.ip });
  });
}

export async function accountBills(deps: WaterDeps, request: FanRequest, id: string | undefined, months: number) {
  const binding = await requireBinding(deps, request.openid, id);
  const [bills, balanceFen] = await Promise.all([deps.gateway.bills(binding.customerNumber, months), deps.gateway.balance(binding.customerNumber)]);
  await recordAudit(deps.dataSource, deps.clock, {
    actorType: "fan",
    actorId: request.openid,
    action: "bill.list",
    customerNumber: binding.customerNumber,
    detail: { months, returned: bills.length },
    ip: request.ip,
  });
  return { account: presentBinding(binding), balanceFen: balanceFen ?? 0, bills: bills.map(presentBill) };
}

export async function accountBill(deps: WaterDeps, request: FanRequest, id: string | undefined, month: string | undefined) {
  const binding = await requireBinding(deps, request.openid, id);
  if (!month || !MONTH_PATTERN.test(month)) throw notFound("该月账单不存在");
  const bill = await deps.gateway.bill(binding.customerNumber, month);
  await recordAudit(deps.dataSource, deps.clock, { actorType: "fan", actorId: request.openid, action: "bill.view", customerNumber: binding.customerNumber, detail: { month, found: Boolean(bill) }, ip: request.ip });
  if (!bill) throw notFound("该月账单不存在");
  return { account: presentBinding(binding), bill: presentBill(bill) };
}

/** Subscribes exactly these of the fan's accounts to the monthly bill notice (the others are unsubscribed). */
export async function setSubscriptions(deps: WaterDeps, openid: string, accountIds: string[]) {
  const unique = [...new Set(accountIds)];
  for (const id of unique) if (!ID.test(id)) throw notBound();
  return withTransaction(deps.dataSource, async (manager) => {
    const repository = manager.getRepository(WaterBinding);
    const owned = unique.length ? await repository.findBy({ id: In(unique), fanOpenid: openid }) : [];
    if (owned.length !== unique.length) throw notBound();
    const now = deps.clock.now();
    await repository.update({ fanOpenid: openid }, { subscribed: false, updatedAt: now });
    if (unique.length) await repository.update({ id: In(unique), fanOpenid: openid }, { subscribed: true, updatedAt: now });
    const bindings = await repository.find({ where: { fanOpenid: openid }, order: { createdAt: "ASC", id: "ASC" } });
    return bindings.map(presentBinding);
  });
}
