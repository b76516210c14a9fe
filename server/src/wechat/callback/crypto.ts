import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { CallbackError } from "./errors";

/** WeChat pads to 32 bytes, not AES's 16, so Node's built-in PKCS#7 handling cannot be used (V3 has pad 19). */
const BLOCK_SIZE = 32;
const RANDOM_LENGTH = 16;
const HEADER_LENGTH = RANDOM_LENGTH + 4;
const ENCODING_AES_KEY = /^[A-Za-z0-9]{43}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The official account's message encryption (safe and compatible modes).
 * Plaintext layout: random(16) ‖ uint32BE byte length ‖ message ‖ appId, PKCS#7-padded to 32-byte blocks,
 * AES-256-CBC with IV = first 16 key bytes.
 */
export class WechatCipher {
  private readonly keys: Buffer[];
  private readonly appId: Buffer;

  /** @param encodingAesKeys current key first, then the previous one, so messages in flight during a rotation still open. */
  constructor(appId: string, encodingAesKeys: string[]) {
    if (!appId) throw new Error("WechatCipher needs an appId");
    if (encodingAesKeys.length === 0) throw new Error("WechatCipher needs at least one EncodingAESKey");
    this.appId = Buffer.from(appId, "utf8");
    this.keys = encodingAesKeys.map((encodingAesKey, index) => {
      if (!ENCODING_AES_KEY.test(encodingAesKey)) {
        throw new Error(`EncodingAESKey #${index} must be 43 characters [A-Za-z0-9]`);
      }
      return Buffer.from(`${encodingAesKey}=`, "base64");
    });
  }

  /**
   * Encrypts with the key at keyIndex: a reply must use the key its request was decrypted with
   * (official rotation rule), which is the current key except during a rotation.
   * @param random16 fixed only by tests reproducing published vectors.
   * @returns base64 ciphertext, the `Encrypt` value.
   */
  encrypt(message: string, random16: Buffer = randomBytes(RANDOM_LENGTH), keyIndex = 0): string {
    if (random16.length !== RANDOM_LENGTH) throw new Error("random16 must be 16 bytes");
    const key = this.keys[keyIndex];
    if (!key) throw new Error(`no EncodingAESKey #${keyIndex}`);

    const messageLength = Buffer.byteLength(message, "utf8");
    const unpaddedLength = HEADER_LENGTH + messageLength + this.appId.length;
    const pad = BLOCK_SIZE - (unpaddedLength % BLOCK_SIZE);
    // Filled with the pad byte so only the payload needs writing; the tail is already the padding.
    const plain = Buffer.alloc(unpaddedLength + pad, pad);
    random16.copy(plain, 0);
    plain.writeUInt32BE(messageLength, RANDOM_LENGTH);
    plain.write(message, HEADER_LENGTH, "utf8");
    this.appId.copy(plain, HEADER_LENGTH + messageLength);

    const cipher = createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(plain), cipher.final()]).toString("base64");
  }

  /**
   * Tries each key in order. Throws CallbackError 400: 'appid_mismatch' when a key yields a well-formed
   * plaintext addressed to another app, otherwise 'undecryptable'.
   */
  decrypt(encrypted: string): { message: string; keyIndex: number } {
    const ciphertext = BASE64.test(encrypted) ? Buffer.from(encrypted, "base64") : undefined;
    if (!ciphertext || ciphertext.length === 0 || ciphertext.length % BLOCK_SIZE !== 0) {
      throw new CallbackError(400, "undecryptable");
    }

    let sawOtherAppId = false;
    for (let keyIndex = 0; keyIndex < this.keys.length; keyIndex++) {
      const opened = this.open(ciphertext, this.keys[keyIndex]);
      if (opened === undefined) continue;
      if (opened.appId.equals(this.appId)) return { message: opened.message, keyIndex };
      sawOtherAppId = true;
    }
    throw sawOtherAppId ? new CallbackError(400, "appid_mismatch") : new CallbackError(400, "undecryptable");
  }

  /** undefined when this key does not produce a well-formed plaintext (the usual sign of a wrong key). */
  private open(ciphertext: Buffer, key: Buffer): { message: string; appId: Buffer } | undefined {
    const decipher = createDecipheriv("aes-256-cbc", key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);

    const pad = plain[plain.length - 1];
    if (pad < 1 || pad > BLOCK_SIZE) return undefined;
    for (let i = plain.length - pad; i < plain.length - 1; i++) {
      if (plain[i] !== pad) return undefined;
    }
    const unpaddedLength = plain.length - pad;
    if (unpaddedLength < HEADER_LENGTH) return undefined;

    const messageLength = plain.readUInt32BE(RANDOM_LENGTH);
    const messageEnd = HEADER_LENGTH + messageLength;
    if (messageEnd > unpaddedLength) return undefined;

    return {
      message: plain.toString("utf8", HEADER_LENGTH, messageEnd),
      appId: plain.subarray(messageEnd, unpaddedLength),
    };
  }
}
