import crypto from "node:crypto";
import { encryptAes256Gcm } from "../wechat/pay/payCrypto";
import { rfc3339China } from "../wechat/pay/tradeBill";
import type { FakeNotifyDelivery, FakeNotifyOptions, FakeWechatPayOptions, FakeWechatPayState } from "./fakeWechatPayState";

/**
 * How the fake WeChat Pay tells the merchant: builds each notification like WeChat (resource encrypted with
 * the APIv3 key, body signed with the WeChat Pay key), POSTs it to notify_url — or breaks it on purpose —
 * and re-sends unacknowledged ones on a schedule.
 */
export class FakePayNotifier {
  readonly deliveries: FakeNotifyDelivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly state: FakeWechatPayState,
    private readonly options: FakeWechatPayOptions,
  ) {}

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  async notify(url: string, eventType: string, summary: string, originalType: string, resource: Record<string, unknown>, options: FakeNotifyOptions): Promise<FakeNotifyDelivery[]> {
    const id = crypto.randomUUID();
    if (options.drop) {
      this.options.logger?.info({ id, eventType }, "fake wechat pay: notification dropped on purpose");
      return [];
    }
    const send = () => this.deliverOnce(id, url, eventType, summary, originalType, resource, options);
    const deliveries = await Promise.all(Array.from({ length: Math.max(1, options.duplicates ?? 1) }, send));
    if (!deliveries.some(acknowledged) && !options.tamper) this.scheduleRetries(send, 0);
    return deliveries;
  }

  private scheduleRetries(send: () => Promise<FakeNotifyDelivery>, attempt: number): void {
    const delays = this.options.retryDelaysMs ?? [];
    if (attempt >= delays.length) return;
    this.later(delays[attempt], async () => {
      const delivery = await send();
      if (!acknowledged(delivery)) this.scheduleRetries(send, attempt + 1);
    });
  }

  private async deliverOnce(id: string, url: string, eventType: string, summary: string, originalType: string, resource: Record<string, unknown>, options: FakeNotifyOptions): Promise<FakeNotifyDelivery> {
    const now = this.state.clock.now();
    const encrypted = encryptAes256Gcm(this.state.apiV3Key, JSON.stringify(resource), originalType);
    if (options.tamper === "ciphertext") {
      const bytes = Buffer.from(encrypted.ciphertext, "base64");
      bytes[bytes.length - 1] ^= 0x01; // flips a tag bit: only a checked final() notices
      encrypted.ciphertext = bytes.toString("base64");
    }
    const body = JSON.stringify({
      id,
      create_time: rfc3339China(now),
      resource_type: "encrypt-resource",
      event_type: eventType,
      summary,
      resource: { original_type: originalType, algorithm: "AEAD_AES_256_GCM", ...renameAead(encrypted) },
    });
    const signedAt = options.tamper === "stale" ? new Date(now.getTime() - 10 * 60_000) : now;
    const headers = this.state.signedHeaders(body, options.keyMode ?? this.state.notifyKeyMode, signedAt);
    if (options.tamper === "signature") headers["Wechatpay-Signature"] = flipBase64(headers["Wechatpay-Signature"]);
    if (options.tamper === "probe") headers["Wechatpay-Signature"] = `WECHATPAY/SIGNTEST/${headers["Wechatpay-Signature"]}`;
    const target = this.options.rewriteNotifyUrl ? this.options.rewriteNotifyUrl(url) : url;
    const delivery: FakeNotifyDelivery = { id, eventType, url: target, status: null, body: "" };
    try {
      const response = await (this.options.fetchImpl ?? fetch)(target, {
        method: "POST",
        body,
        headers: { ...headers, "Content-Type": "application/json", "User-Agent": "Mozilla/4.0" },
        signal: AbortSignal.timeout(10_000),
      });
      delivery.status = response.status;
      delivery.body = await response.text();
    } catch (error) {
      delivery.error = (error as Error).message;
    }
    this.deliveries.push(delivery);
    this.options.logger?.debug({ id, eventType, status: delivery.status }, "fake wechat pay: notification delivered");
    return delivery;
  }

  later(ms: number, run: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run().catch((error: unknown) => this.options.logger?.warn({ err: error }, "fake wechat pay: scheduled work failed"));
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }
}

/** WeChat Pay's resource field names. */
export function renameAead(resource: { ciphertext: string; nonce: string; associatedData: string }) {
  return { ciphertext: resource.ciphertext, associated_data: resource.associatedData, nonce: resource.nonce };
}

const acknowledged = (delivery: FakeNotifyDelivery) => delivery.status !== null && delivery.status >= 200 && delivery.status < 300;

function flipBase64(signature: string): string {
  const bytes = Buffer.from(signature, "base64");
  bytes[0] ^= 0xff;
  return bytes.toString("base64");
}
