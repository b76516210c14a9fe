import crypto from "node:crypto";
import fs from "node:fs";
import { ConfigError, type Config } from "../../config";
import type { Clock } from "../../infra/clock";
import type { Logger } from "../../infra/logger";
import { SANDBOX_PAY } from "../../sandbox/sandboxPayKeys";
import { DecryptError, decryptAes256Gcm } from "./payCrypto";
import type { PayGateway } from "./payGateway";
import { WechatPayKeys } from "./payKeys";
import { checkWechatPaySignature, NotifyRejected, type NotifyHeaders } from "./signatures";
import { WechatPayGateway } from "./wechatPayGateway";

export { toPayTransaction, toRefundResult, type RefundResource, type TransactionResource } from "./payResources";
export { NotifyRejected, readWechatpayHeaders, type NotifyHeaders, type NotifyRejectReason } from "./signatures";

/** A notification whose signature was checked and whose resource was decrypted (tag checked) and parsed. */
export interface VerifiedNotification<T = unknown> {
  id: string;
  createTime: string;
  /** TRANSACTION.SUCCESS, REFUND.SUCCESS, REFUND.ABNORMAL, REFUND.CLOSED */
  eventType: string;
  summary: string;
  resource: T;
}

export interface NotificationVerifier {
  /**
   * Checks the signature over the RAW body (key chosen by Wechatpay-Serial), the 5-minute timestamp window and
   * probe signatures, then decrypts resource with the APIv3 key (GCM tag checked) and parses it. Throws
   * NotifyRejected. Synchronous: an unknown platform-certificate serial is rejected at once and starts a
   * throttled background refresh, so WeChat's retry succeeds once the new certificate is known.
   */
  verify<T>(headers: NotifyHeaders, rawBody: string): VerifiedNotification<T>;
}

export function createNotificationVerifier(options: { keys: WechatPayKeys; apiV3Key: string; clock: Clock }): NotificationVerifier {
  return {
    verify<T>(headers: NotifyHeaders, rawBody: string): VerifiedNotification<T> {
      checkWechatPaySignature(options.keys, options.clock, headers, rawBody);
      let body: unknown;
      try {
        body = JSON.parse(rawBody);
      } catch {
        throw new NotifyRejected("malformed", "body is not JSON");
      }
      if (!isRecord(body) || !isRecord(body.resource)) throw new NotifyRejected("malformed", "no resource");
      const { id, create_time: createTime, event_type: eventType, summary } = body;
      const { algorithm, ciphertext, nonce, associated_data: associatedData } = body.resource;
      if (typeof id !== "string" || typeof createTime !== "string" || typeof eventType !== "string") {
        throw new NotifyRejected("malformed", "missing id, create_time or event_type");
      }
      if (algorithm !== "AEAD_AES_256_GCM" || typeof ciphertext !== "string" || typeof nonce !== "string") {
        throw new NotifyRejected("malformed", "unsupported resource encryption");
      }
      let plaintext: string;
      try {
        plaintext = decryptAes256Gcm(options.apiV3Key, {
          ciphertext,
          nonce,
          associatedData: typeof associatedData === "string" ? associatedData : "",
        });
      } catch (error) {
        if (error instanceof DecryptError) throw new NotifyRejected("decrypt_failed", `resource: ${error.message}`);
        throw error;
      }
      let resource: T;
      try {
        resource = JSON.parse(plaintext) as T;
      } catch {
        throw new NotifyRejected("malformed", "resource plaintext is not JSON");
      }
      return { id, createTime, eventType, summary: typeof summary === "string" ? summary : "", resource };
    },
  };
}

export interface CreatePayOptions {
  clock: Clock;
  logger?: Logger;
  /** Transport for WeChat Pay calls; defaults to global fetch. */
  fetchImpl?: typeof fetch;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
}

export interface Pay {
  gateway: PayGateway;
  verifier: NotificationVerifier;
  /** The key store (public key + platform certificates), e.g. for diagnostics. */
  keys: WechatPayKeys;
  /** Loads platform certificates now when no WeChat Pay public key is configured; never throws. */
  warmUp(): Promise<void>;
}

/** The merchant's credentials, from configuration or (sandbox without WECHATPAY_MCHID) the test merchant. */
interface PayMaterial {
  mchId: string;
  serial: string;
  privateKeyPem: string;
  apiV3Key: string;
  publicKey?: { id: string; pem: string };
}

/** null when WeChat Pay is not configured and not in sandbox mode. */
export function createPay(config: Config, opts: CreatePayOptions): Pay | null {
  const material = resolvePayMaterial(config);
  if (!material) return null;
  const logger = opts.logger?.child({ component: "wechatpay" });
  let gateway: WechatPayGateway | undefined;
  const keys = new WechatPayKeys({
    clock: opts.clock,
    logger,
    publicKey: material.publicKey ? { id: material.publicKey.id, key: crypto.createPublicKey(material.publicKey.pem) } : undefined,
    loadCertificates: () => gateway!.downloadCertificates(),
  });
  gateway = new WechatPayGateway({
    appId: config.wechat.appId,
    mchId: material.mchId,
    merchantSerial: material.serial,
    privateKeyPem: material.privateKeyPem,
    apiV3Key: material.apiV3Key,
    apiBase: config.wechatPay.apiBase,
    keys,
    clock: opts.clock,
    fetchImpl: opts.fetchImpl,
    timeoutMs: opts.timeoutMs,
    logger,
  });
  const verifier = createNotificationVerifier({ keys, apiV3Key: material.apiV3Key, clock: opts.clock });
  return {
    gateway,
    verifier,
    keys,
    warmUp: () => (material.publicKey ? Promise.resolve() : keys.refresh()),
  };
}

function resolvePayMaterial(config: Config): PayMaterial | null {
  const pay = config.wechatPay;
  const required = {
    WECHATPAY_MCHID: pay.mchId,
    WECHATPAY_SERIAL: pay.serial,
    WECHATPAY_PRIVATE_KEY_PATH: pay.privateKeyPath,
    WECHATPAY_APIV3_KEY: pay.apiV3Key,
  };
  const anySet = Object.values(required).some(Boolean) || Boolean(pay.publicKeyPath || pay.publicKeyId);
  if (!anySet) {
    if (!config.sandbox) return null;
    return {
      mchId: SANDBOX_PAY.mchId,
      serial: SANDBOX_PAY.merchantSerial,
      privateKeyPem: SANDBOX_PAY.merchantPrivateKeyPem,
      apiV3Key: SANDBOX_PAY.apiV3Key,
      publicKey: { id: SANDBOX_PAY.publicKeyId, pem: SANDBOX_PAY.wechatpayPublicKeyPem },
    };
  }
  for (const [name, value] of Object.entries(required)) {
    if (!value) throw new ConfigError(`${name}: required when WeChat Pay is configured`);
  }
  if (Boolean(pay.publicKeyPath) !== Boolean(pay.publicKeyId)) {
    throw new ConfigError(
      `${pay.publicKeyPath ? "WECHATPAY_PUBLIC_KEY_ID" : "WECHATPAY_PUBLIC_KEY_PATH"}: set both the WeChat Pay public key file and its PUB_KEY_ID, or neither (platform certificates)`,
    );
  }
  return {
    mchId: pay.mchId!,
    serial: pay.serial!.toUpperCase(),
    privateKeyPem: readKeyFile("WECHATPAY_PRIVATE_KEY_PATH", pay.privateKeyPath!, "private"),
    apiV3Key: pay.apiV3Key!,
    publicKey: pay.publicKeyPath ? { id: pay.publicKeyId!, pem: readKeyFile("WECHATPAY_PUBLIC_KEY_PATH", pay.publicKeyPath, "public") } : undefined,
  };
}

function readKeyFile(name: string, path: string, kind: "private" | "public"): string {
  let pem: string;
  try {
    pem = fs.readFileSync(path, "utf8");
  } catch {
    throw new ConfigError(`${name}: cannot read ${path}`);
  }
  try {
    if (kind === "private") crypto.createPrivateKey(pem);
    else crypto.createPublicKey(pem);
  } catch {
    throw new ConfigError(`${name}: ${path} is not a PEM ${kind} key`);
  }
  return pem;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
