import crypto, { type KeyObject } from "node:crypto";

/**
 * The WeChat Pay v3 primitives we do ourselves instead of trusting wechatpay-node-v3: AEAD_AES_256_GCM with
 * the authentication tag checked, SHA256withRSA signatures over the exact strings WeChat defines, and
 * nonces from a CSPRNG. Pure functions; the tests run them against the official SDKs' vectors.
 */

export type KeyInput = KeyObject | string | Buffer;

/** 32 hex characters from crypto.randomBytes (WeChat allows nonce_str up to 32). */
export function randomNonce(): string {
  return crypto.randomBytes(16).toString("hex").toUpperCase();
}

export function unixSeconds(at: Date): string {
  return String(Math.floor(at.getTime() / 1000));
}

/** `timestamp\nnonce\nbody\n`: what WeChat signs on responses and notifications (body exactly as received). */
export function responseMessage(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

/** `METHOD\nPATH?QUERY\ntimestamp\nnonce\nBODY\n`: what the merchant signs in Authorization. */
export function requestMessage(method: string, pathAndQuery: string, timestamp: string, nonce: string, body: string): string {
  return `${method}\n${pathAndQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** `appId\ntimeStamp\nnonceStr\npackage\n`: the JSAPI paySign message. */
export function paySignMessage(appId: string, timeStamp: string, nonceStr: string, pkg: string): string {
  return `${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`;
}

/** RSASSA-PKCS1-v1_5 with SHA-256, base64. */
export function signSha256WithRsa(privateKey: KeyInput, message: string): string {
  return crypto.sign("RSA-SHA256", Buffer.from(message, "utf8"), privateKey).toString("base64");
}

/** False (never throws) for a wrong key, a malformed signature or a tampered message. */
export function verifySha256WithRsa(publicKey: KeyInput, message: string, signatureBase64: string): boolean {
  try {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureBase64)) return false;
    return crypto.verify("RSA-SHA256", Buffer.from(message, "utf8"), publicKey, Buffer.from(signatureBase64, "base64"));
  } catch {
    return false;
  }
}

export interface AeadResource {
  ciphertext: string;
  nonce: string;
  associatedData: string;
}

export class DecryptError extends Error {}

const TAG_BYTES = 16;

/**
 * AEAD_AES_256_GCM as WeChat uses it: key = the 32-byte APIv3 key, IV = the 12-character nonce, AAD =
 * associated_data, base64 ciphertext whose last 16 bytes are the tag. final() authenticates — a wrong key,
 * nonce, AAD or tag throws DecryptError instead of returning garbage (wechatpay-node-v3 2.2.x skips it).
 */
export function decryptAes256Gcm(apiV3Key: string, resource: AeadResource): string {
  const key = Buffer.from(apiV3Key, "utf8");
  if (key.length !== 32) throw new DecryptError("APIv3 key must be 32 bytes");
  const data = Buffer.from(resource.ciphertext, "base64");
  if (data.length <= TAG_BYTES) throw new DecryptError("ciphertext too short");
  try {
    const decipher = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(resource.nonce, "utf8"), { authTagLength: TAG_BYTES });
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    decipher.setAAD(Buffer.from(resource.associatedData, "utf8"));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    throw new DecryptError("authentication failed");
  }
}

/** The inverse, for the sandbox fake and tests. */
export function encryptAes256Gcm(apiV3Key: string, plaintext: string, associatedData: string, nonce: string = randomNonce().slice(0, 12)): AeadResource {
  const cipher = crypto.createCipheriv("aes-256-gcm", Buffer.from(apiV3Key, "utf8"), Buffer.from(nonce, "utf8"), { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return { ciphertext: body.toString("base64"), nonce, associatedData };
}

/** Certificate serials compare case-insensitively and without leading zeros (X509Certificate pads them). */
export function normalizeSerial(serial: string): string {
  if (serial.startsWith("PUB_KEY_ID_")) return serial;
  return serial.toUpperCase().replace(/^0+(?=.)/, "");
}

/** The parts of `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",…`; null when it is not that scheme. */
export function parseAuthorization(header: string | undefined): Record<string, string> | null {
  const match = /^WECHATPAY2-SHA256-RSA2048\s+(.+)$/.exec(header ?? "");
  if (!match) return null;
  const fields: Record<string, string> = {};
  for (const part of match[1].matchAll(/(\w+)="([^"]*)"/g)) fields[part[1]] = part[2];
  return fields;
}
