import { fanDelete, fanGet, fanPost, fanPut } from "../../api";

/** Shapes of the fan water API (docs/api/fan-water.md). Money integer fen, volumes m³, months YYYY-MM. */

export interface FanMe {
  openid: string;
  phone: { phone: string; verifiedAt: string } | null;
  /** Sandbox mode: show the stand-ins (the SMS code) instead of waiting for a real SMS. */
  sandbox: boolean;
}

export interface WaterAccount {
  id: string;
  customerNumber: string;
  ownerName: string;
  address: string;
  area: string;
  subscribed: boolean;
  boundAt: string;
}

export interface TierCharge {
  tier: number;
  label: string;
  volumeM3: number;
  unitPriceFen: number;
  amountFen: number;
}

export interface WaterBill {
  month: string;
  monthLabel: string;
  previousReading: number;
  currentReading: number;
  volumeM3: number;
  amountFen: number;
  tiers: TierCharge[];
  status: "unpaid" | "paid";
  issuedAt: string;
  paidAt: string | null;
}

export const waterApi = {
  me: () => fanGet<FanMe>("/me"),
  sendSmsCode: (phone: string) => fanPost<{ expiresInSeconds: number; resendAfterSeconds: number }>("/sms-code", { phone }),
  verifyPhone: (phone: string, code: string) => fanPost<{ phone: string; verifiedAt: string }>("/phone", { phone, code }),
  accounts: async () => (await fanGet<{ accounts: WaterAccount[] }>("/accounts")).accounts,
  bind: async (input: { customerNumber: string; ownerName: string; queryPassword: string }) =>
    (await fanPost<{ account: WaterAccount }>("/accounts", input)).account,
  unbind: (id: string) => fanDelete<void>(`/accounts/${encodeURIComponent(id)}`),
  bills: (id: string, months = 36) =>
    fanGet<{ account: WaterAccount; balanceFen: number; bills: WaterBill[] }>(`/accounts/${encodeURIComponent(id)}/bills`, { months }),
  bill: (id: string, month: string) =>
    fanGet<{ account: WaterAccount; bill: WaterBill }>(`/accounts/${encodeURIComponent(id)}/bills/${encodeURIComponent(month)}`),
  setSubscriptions: async (accountIds: string[]) => (await fanPut<{ accounts: WaterAccount[] }>("/subscriptions", { accountIds })).accounts,
};

/** The last SMS the sandbox "sent" to a phone (only answered in sandbox mode). */
export async function sandboxSmsText(phone: string): Promise<string | null> {
  const response = await fetch(`/sandbox/api/sms?phone=${encodeURIComponent(phone)}`, { credentials: "same-origin" });
  if (!response.ok) return null;
  const body = (await response.json()) as { text: string };
  return body.text;
}

