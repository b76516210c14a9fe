import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as keys from "./payKeys/testOnlyKeys";

/**
 * TEST-ONLY WeChat Pay key material for the sandbox fake and the tests (payKeys/testOnlyKeys.ts, generated
 * with openssl for this project; it protects nothing and is compiled in so the sandbox works from dist/).
 * Three pairs, as in real life: the merchant's API key + certificate (signs our requests and paySign),
 * the WeChat Pay public key (PUB_KEY_ID mode) and a platform certificate (certificate mode) — the fake
 * holds the private halves of the last two.
 */
export const SANDBOX_PAY = {
  mchId: "1900000109",
  /** Serial of the merchant certificate. */
  merchantSerial: "5A1D0000C0FFEE0000000000000000000000D101",
  /** Exactly 32 ASCII bytes, as WeChat requires. */
  apiV3Key: "SandboxApiV3KeyTestOnly000000000",
  publicKeyId: "PUB_KEY_ID_01190000010920261124000000000001",
  /** Serial of the platform certificate. */
  platformSerial: "5A1D0000C0FFEE0000000000000000000000E202",
  merchantPrivateKeyPem: keys.merchantKeyPem,
  merchantCertificatePem: keys.merchantCertPem,
  wechatpayPublicKeyPem: keys.wechatpayPublicKeyPem,
  wechatpayPrivateKeyPem: keys.wechatpayPubkeyPrivatePem,
  platformCertificatePem: keys.platformCertPem,
  platformPrivateKeyPem: keys.platformKeyPem,
} as const;

let keyDir: string | undefined;

/** The test merchant's key files on disk (written once per process to a temp dir), for WECHATPAY_*_PATH. */
export function sandboxPayKeyFiles(): { merchantPrivateKey: string; wechatpayPublicKey: string } {
  keyDir ??= fs.mkdtempSync(path.join(os.tmpdir(), "shuiwu-sandbox-pay-"));
  const merchantPrivateKey = path.join(keyDir, "merchant_key.pem");
  const wechatpayPublicKey = path.join(keyDir, "wechatpay_public_key.pem");
  if (!fs.existsSync(merchantPrivateKey)) fs.writeFileSync(merchantPrivateKey, SANDBOX_PAY.merchantPrivateKeyPem, { mode: 0o600 });
  if (!fs.existsSync(wechatpayPublicKey)) fs.writeFileSync(wechatpayPublicKey, SANDBOX_PAY.wechatpayPublicKeyPem);
  return { merchantPrivateKey, wechatpayPublicKey };
}

/** WECHATPAY_* variables that point a server at a standalone fake (tests); certificate mode omits the public key. */
export function sandboxPayEnv(apiBase: string, mode: "public_key" | "platform_certificate" = "public_key"): Record<string, string> {
  const files = sandboxPayKeyFiles();
  return {
    WECHATPAY_MCHID: SANDBOX_PAY.mchId,
    WECHATPAY_SERIAL: SANDBOX_PAY.merchantSerial,
    WECHATPAY_PRIVATE_KEY_PATH: files.merchantPrivateKey,
    WECHATPAY_APIV3_KEY: SANDBOX_PAY.apiV3Key,
    WECHATPAY_API_BASE: apiBase,
    ...(mode === "public_key" ? { WECHATPAY_PUBLIC_KEY_PATH: files.wechatpayPublicKey, WECHATPAY_PUBLIC_KEY_ID: SANDBOX_PAY.publicKeyId } : {}),
  };
}
