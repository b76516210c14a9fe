import { randomUUID } from "node:crypto";
import { PAYMENTS_SERVICE, type PaymentsService } from "../src/modules/payments/paymentsModule";
import type { FakeWechatPayState } from "../src/sandbox/fakeWechatPayState";
import type { RunningServer } from "../src/server";
import { encryptAes256Gcm } from "../src/wechat/pay/payCrypto";
import { api, type ApiResponse } from "./support/api";
import { bindDemo, newPhone, verifiedFan } from "./waterHelpers";

/** Payments test helpers: the sandbox's fake WeChat Pay in-process, fans with a bound demo account. */

export function payments(server: RunningServer): PaymentsService {
  return server.context.services.get(PAYMENTS_SERVICE) as PaymentsService;
}

export function fakePay(server: RunningServer): FakeWechatPayState {
  return server.context.sandbox!.pay;
}

let fanCounter = 0;
/** A signed-in fan with a verified phone and the demo account bound; returns the cookie and the binding id. */
export async function payingFan(server: RunningServer, account: { customerNumber: string; ownerName: string }, label = "Pay"): Promise<{ openid: string; cookie: string; accountId: string }> {
  fanCounter++;
  const openid = `oFan${label}${String(process.pid % 10000).padStart(4, "0")}${String(fanCounter).padStart(6, "0")}`.padEnd(28, "0");
  const cookie = await verifiedFan(server, openid, newPhone());
  const bound = await bindDemo(server, cookie, account.customerNumber, account.ownerName);
  if (bound.status !== 201) throw new Error(`bind answered ${bound.status}: ${JSON.stringify(bound.body)}`);
  return { openid, cookie, accountId: bound.body.account.id };
}

export async function orderFor(server: RunningServer, cookie: string, body: unknown): Promise<ApiResponse> {
  return api(server, "POST", "/api/fan/payments/orders", { cookie, body });
}

/**
 * A TRANSACTION.SUCCESS (or other) notification exactly as WeChat Pay sends it — encrypted with the
 * sandbox APIv3 key and signed with the sandbox WeChat Pay key — for tests that post it themselves
 * (to several instances at once, with a forged amount, …).
 */
export function notification(fake: FakeWechatPayState, resource: Record<string, unknown>, options: { eventType?: string; originalType?: string; id?: string } = {}) {
  const originalType = options.originalType ?? "transaction";
  const encrypted = encryptAes256Gcm(fake.apiV3Key, JSON.stringify(resource), originalType);
  const body = JSON.stringify({
    id: options.id ?? randomUUID(),
    create_time: new Date().toISOString(),
    resource_type: "encrypt-resource",
    event_type: options.eventType ?? "TRANSACTION.SUCCESS",
    summary: "支付成功",
    resource: { original_type: originalType, algorithm: "AEAD_AES_256_GCM", ciphertext: encrypted.ciphertext, associated_data: encrypted.associatedData, nonce: encrypted.nonce },
  });
  return { body, headers: fake.signedHeaders(body, "public_key") };
}

export async function postNotification(server: RunningServer, path: string, signed: { body: string; headers: Record<string, string> }): Promise<{ status: number; body: string }> {
  const response = await fetch(`${server.url}${path}`, { method: "POST", body: signed.body, headers: { ...signed.headers, "content-type": "application/json" } });
  return { status: response.status, body: await response.text() };
}

/** Marks the order paid at the fake without telling us (a lost notification); returns WeChat's view of it. */
export async function paidSilently(server: RunningServer, outTradeNo: string): Promise<Record<string, unknown> & { amount: Record<string, unknown> }> {
  const fake = fakePay(server);
  const { order } = await fake.payOrder({ outTradeNo }, { drop: true });
  return fake.transactionBody(order);
}

export async function rows<T = any>(server: RunningServer, sql: string, params: unknown[] = []): Promise<T[]> {
  return server.dataSource.query(sql, params);
}
