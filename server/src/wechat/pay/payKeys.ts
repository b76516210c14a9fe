import crypto, { type KeyObject } from "node:crypto";
import type { Clock } from "../../infra/clock";
import type { Logger } from "../../infra/logger";
import { decryptAes256Gcm, normalizeSerial } from "./payCrypto";

/**
 * Which WeChat Pay key verifies a signature, chosen by the Wechatpay-Serial header:
 * - `PUB_KEY_ID_…` → the configured WeChat Pay public key (newer merchants; no expiry);
 * - anything else → a platform certificate by serial, downloaded from GET /v3/certificates and cached.
 * Both are kept at once because during a switch WeChat signs a growing share of notifications with the
 * public key. An unknown certificate serial triggers a refresh, at most once per throttle window, so a
 * forged serial cannot make us hammer WeChat.
 */

export interface PlatformCertificate {
  serialNo: string;
  publicKey: KeyObject;
  expiresAt: Date | null;
}

/** One item of GET /v3/certificates. */
export interface EncryptedCertificateItem {
  serial_no: string;
  effective_time?: string;
  expire_time?: string;
  encrypt_certificate: { algorithm: string; nonce: string; associated_data: string; ciphertext: string };
}

export interface PayKeysOptions {
  clock: Clock;
  /** The WeChat Pay public key and its id, when the merchant has one. */
  publicKey?: { id: string; key: KeyObject };
  /** Fetches and decrypts the platform certificates; absent = public-key mode only. */
  loadCertificates?: () => Promise<PlatformCertificate[]>;
  /** Minimum gap between two certificate downloads; default 60 s. */
  refreshThrottleMs?: number;
  logger?: Logger;
}

export class WechatPayKeys {
  private readonly certificates = new Map<string, PlatformCertificate>();
  private lastRefreshAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | null = null;

  constructor(private readonly options: PayKeysOptions) {}

  get publicKeyId(): string | undefined {
    return this.options.publicKey?.id;
  }

  get canDownloadCertificates(): boolean {
    return Boolean(this.options.loadCertificates);
  }

  /** The key for a serial, if known now. */
  find(serial: string): KeyObject | undefined {
    if (serial.startsWith("PUB_KEY_ID_")) {
      return this.options.publicKey && this.options.publicKey.id === serial ? this.options.publicKey.key : undefined;
    }
    return this.certificates.get(normalizeSerial(serial))?.publicKey;
  }

  /** Like find, but an unknown certificate serial first waits for a (throttled) refresh. */
  async findOrRefresh(serial: string): Promise<KeyObject | undefined> {
    const known = this.find(serial);
    if (known || serial.startsWith("PUB_KEY_ID_")) return known;
    await this.refresh();
    return this.find(serial);
  }

  /** Unknown serial seen by a synchronous caller: refresh in the background. */
  refreshSoon(serial: string): void {
    if (serial.startsWith("PUB_KEY_ID_")) return;
    void this.refresh();
  }

  addCertificates(list: PlatformCertificate[]): void {
    for (const certificate of list) this.certificates.set(normalizeSerial(certificate.serialNo), certificate);
  }

  knownSerials(): string[] {
    return [...(this.options.publicKey ? [this.options.publicKey.id] : []), ...this.certificates.keys()];
  }

  /** Downloads the certificates unless one was tried within the throttle window; never throws. */
  refresh(): Promise<void> {
    const load = this.options.loadCertificates;
    if (!load) return Promise.resolve();
    if (this.inFlight) return this.inFlight;
    const now = this.options.clock.now().getTime();
    if (now - this.lastRefreshAt < (this.options.refreshThrottleMs ?? 60_000)) return Promise.resolve();
    this.lastRefreshAt = now;
    this.inFlight = load()
      .then((list) => {
        this.addCertificates(list);
        this.options.logger?.info({ serials: list.map((c) => c.serialNo) }, "wechat pay platform certificates loaded");
      })
      .catch((error: unknown) => {
        this.options.logger?.warn({ err: error }, "wechat pay platform certificate download failed");
      })
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }
}

/** Decrypts (tag checked) and parses the items of GET /v3/certificates; a serial mismatch is an error. */
export function decryptCertificates(apiV3Key: string, items: EncryptedCertificateItem[]): PlatformCertificate[] {
  return items.map((item) => {
    const encrypted = item.encrypt_certificate;
    if (encrypted.algorithm !== "AEAD_AES_256_GCM") throw new Error(`unsupported certificate algorithm ${encrypted.algorithm}`);
    const pem = decryptAes256Gcm(apiV3Key, {
      ciphertext: encrypted.ciphertext,
      nonce: encrypted.nonce,
      associatedData: encrypted.associated_data,
    });
    const certificate = new crypto.X509Certificate(pem);
    if (normalizeSerial(certificate.serialNumber) !== normalizeSerial(item.serial_no)) {
      throw new Error(`certificate serial ${certificate.serialNumber} does not match ${item.serial_no}`);
    }
    return {
      serialNo: normalizeSerial(item.serial_no),
      publicKey: certificate.publicKey,
      expiresAt: item.expire_time ? new Date(item.expire_time) : new Date(certificate.validTo),
    };
  });
}
