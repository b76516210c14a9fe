import { FanPhone } from "./binding.entity";
import type { WaterDeps } from "./deps";

/** "13812345678" → "138****5678" */
export function maskPhone(phone: string): string {
  return phone.length === 11 ? `${phone.slice(0, 3)}****${phone.slice(7)}` : phone.replace(/\d(?=\d{4})/g, "*");
}

/** Checks the SMS code and records the phone as the fan's verified phone (replacing an earlier one). */
export async function verifyFanPhone(deps: WaterDeps, openid: string, phone: string, code: string) {
  await deps.sms.verify(openid, phone, code);
  const verifiedAt = deps.clock.now();
  await deps.dataSource.getRepository(FanPhone).upsert({ openid, phone, verifiedAt }, ["openid"]);
  return { phone: maskPhone(phone), verifiedAt: verifiedAt.toISOString() };
}

export async function fanPhoneView(deps: WaterDeps, openid: string) {
  const row = await deps.dataSource.getRepository(FanPhone).findOneBy({ openid });
  return row ? { phone: maskPhone(row.phone), verifiedAt: row.verifiedAt.toISOString() } : null;
}
