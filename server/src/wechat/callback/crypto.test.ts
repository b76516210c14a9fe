import { createCipheriv } from "node:crypto";
import { WechatCipher } from "./crypto";
import { CallbackError } from "./errors";
import { V3, V4, V5, V6 } from "./vectors.fixture";
import { toInboundMessage, parseXml } from "./xml";

/** node-webot's wechat-crypto: an independent implementation to check ours against (test-only dependency). */
interface ReferenceCrypt {
  encrypt(text: string): string;
  decrypt(text: string): { message: string; id: string };
  getSignature(timestamp: string, nonce: string, encrypt: string): string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const WXBizMsgCrypt: new (token: string, encodingAesKey: string, appId: string) => ReferenceCrypt = require("wechat-crypto");

const OTHER_KEY = "zyxwvutsrqponmlkjihgfedcba9876543210ZYXWVUT";

function rejectionOf(action: () => unknown): CallbackError {
  try {
    action();
  } catch (error) {
    if (error instanceof CallbackError) return error;
    throw error;
  }
  throw new Error("expected a CallbackError");
}

/** Encrypts an arbitrary (possibly ill-formed) plaintext with WeChat's key and IV, to probe the checks after AES. */
function sealRaw(plain: Buffer, encodingAesKey: string): string {
  const key = Buffer.from(`${encodingAesKey}=`, "base64");
  const cipher = createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString("base64");
}

function layout(message: string, appId: string): Buffer {
  const body = Buffer.from(message, "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([Buffer.alloc(16, 0x61), length, body, Buffer.from(appId)]);
}

describe("WechatCipher with published vectors", () => {
  it("decrypts the official safe-mode message whose padding is 19 bytes, beyond AES's 16 (V3)", () => {
    const cipher = new WechatCipher(V3.appId, [V3.encodingAesKey]);
    expect(cipher.decrypt(V3.encrypt)).toEqual({ message: V3.message, keyIndex: 0 });
  });

  it("reproduces the official encrypted reply byte for byte (V3 reply)", () => {
    const cipher = new WechatCipher(V3.appId, [V3.encodingAesKey]);
    expect(cipher.encrypt(V3.reply.message, Buffer.from(V3.reply.random, "latin1"))).toBe(V3.reply.encrypt);
  });

  it("reproduces the WXBizMsgCrypt sample ciphertext for Chinese text (V4)", () => {
    const cipher = new WechatCipher(V4.appId, [V4.encodingAesKey]);
    expect(cipher.encrypt(V4.message, Buffer.from(V4.random))).toBe(V4.encrypt);
    expect(cipher.decrypt(V4.encrypt)).toEqual({ message: V4.message, keyIndex: 0 });
  });

  it("decrypts EasyWeChat's text message (V5)", async () => {
    const cipher = new WechatCipher(V5.appId, [V5.encodingAesKey]);
    const { message } = cipher.decrypt(V5.encrypt);
    expect(message).toContain("<MsgId>12345</MsgId>");
    const inbound = toInboundMessage(await parseXml(message), message);
    expect(inbound).toMatchObject({
      kind: "text",
      toUserName: "asdasdasd",
      fromUserName: "asdasdasdsadasd",
      createTime: 1234567898,
      content: "hello",
      msgId: "12345",
      dedupeKey: "msg:12345",
    });
  });

  it("keeps wechatpy's MsgId above 2^53 exact through decryption and typing (V6)", async () => {
    const cipher = new WechatCipher(V6.appId, [V6.encodingAesKey]);
    const { message } = cipher.decrypt(V6.decrypt.encrypt);
    const inbound = toInboundMessage(await parseXml(message), message);
    expect(inbound).toMatchObject({ kind: "text", fromUserName: "messense", content: "test" });
    expect(inbound.kind === "text" && inbound.msgId).toBe("4363689963896700987");
    expect(inbound.dedupeKey).toBe("msg:4363689963896700987");
  });

  it("reproduces wechatpy's encrypted message and its signature (V6)", () => {
    const cipher = new WechatCipher(V6.appId, [V6.encodingAesKey]);
    const encrypted = cipher.encrypt(V6.encrypt.message, Buffer.from(V6.encrypt.random));
    expect(encrypted).toBe(V6.encrypt.encrypt);
    const reference = new WXBizMsgCrypt(V6.token, V6.encodingAesKey, V6.appId);
    expect(reference.getSignature(V6.timestamp, V6.nonce, encrypted)).toBe(V6.encrypt.msgSignature);
  });
});

describe("WechatCipher against wechat-crypto", () => {
  const reference = new WXBizMsgCrypt(V4.token, V4.encodingAesKey, V4.appId);
  const cipher = new WechatCipher(V4.appId, [V4.encodingAesKey]);
  const lengths = Array.from({ length: 71 }, (_, length) => length);

  it.each(lengths)("opens wechat-crypto's ciphertext of a %i-byte message", (length) => {
    const message = "x".repeat(length);
    expect(cipher.decrypt(reference.encrypt(message))).toEqual({ message, keyIndex: 0 });
  });

  it.each(lengths)("produces a ciphertext of a %i-byte message that wechat-crypto opens", (length) => {
    const message = "y".repeat(length);
    const encrypted = cipher.encrypt(message);
    expect(Buffer.from(encrypted, "base64").length % 32).toBe(0);
    expect(reference.decrypt(encrypted)).toEqual({ message, id: V4.appId });
  });

  it("round-trips Chinese text and XML both ways", () => {
    const message = "<xml><Content><![CDATA[您好，水费账单什么时候出？]]></Content></xml>";
    expect(cipher.decrypt(reference.encrypt(message)).message).toBe(message);
    expect(reference.decrypt(cipher.encrypt(message)).message).toBe(message);
  });

  it("uses a fresh random prefix for each encryption", () => {
    expect(cipher.encrypt("same")).not.toBe(cipher.encrypt("same"));
  });
});

describe("WechatCipher refusals", () => {
  const cipher = new WechatCipher(V4.appId, [V4.encodingAesKey]);

  it("refuses a message sealed for another app with appid_mismatch", () => {
    const forOtherApp = new WechatCipher("wx0000000000000000", [V4.encodingAesKey]).encrypt("hello");
    expect(rejectionOf(() => cipher.decrypt(forOtherApp))).toMatchObject({ status: 400, reason: "appid_mismatch" });
  });

  it("refuses text that is not base64 as undecryptable", () => {
    expect(rejectionOf(() => cipher.decrypt("this is not base64!!"))).toMatchObject({ status: 400, reason: "undecryptable" });
  });

  it("refuses an empty string and a ciphertext that is not a whole number of 32-byte blocks", () => {
    expect(rejectionOf(() => cipher.decrypt(""))).toMatchObject({ reason: "undecryptable" });
    expect(rejectionOf(() => cipher.decrypt(Buffer.alloc(16).toString("base64")))).toMatchObject({ reason: "undecryptable" });
  });

  it("refuses a message sealed with a key we do not hold", () => {
    const foreign = new WechatCipher(V4.appId, [OTHER_KEY]).encrypt("hello", Buffer.from("aaaabbbbccccdddd"));
    expect(rejectionOf(() => cipher.decrypt(foreign))).toMatchObject({ reason: "undecryptable" });
  });

  it("refuses a pad byte of 0 or above 32", () => {
    const body = layout("hi", V4.appId); // 40 bytes; 24 bytes of padding bring it to 64
    for (const padByte of [0, 33]) {
      const plain = Buffer.concat([body, Buffer.alloc(24, padByte)]);
      expect(rejectionOf(() => cipher.decrypt(sealRaw(plain, V4.encodingAesKey)))).toMatchObject({ reason: "undecryptable" });
    }
  });

  it("refuses padding whose bytes are not all equal", () => {
    const padding = Buffer.alloc(24, 24);
    padding[3] = 7;
    const plain = Buffer.concat([layout("hi", V4.appId), padding]);
    expect(rejectionOf(() => cipher.decrypt(sealRaw(plain, V4.encodingAesKey)))).toMatchObject({ reason: "undecryptable" });
  });

  it("refuses a length field pointing past the end of the plaintext", () => {
    const body = layout("hi", V4.appId);
    body.writeUInt32BE(1000, 16);
    const plain = Buffer.concat([body, Buffer.alloc(24, 24)]);
    expect(rejectionOf(() => cipher.decrypt(sealRaw(plain, V4.encodingAesKey)))).toMatchObject({ reason: "undecryptable" });
  });

  it("accepts the same hand-made plaintext when it is well formed", () => {
    const plain = Buffer.concat([layout("hi", V4.appId), Buffer.alloc(24, 24)]);
    expect(cipher.decrypt(sealRaw(plain, V4.encodingAesKey))).toEqual({ message: "hi", keyIndex: 0 });
  });
});

describe("WechatCipher key rotation", () => {
  const previous = new WechatCipher(V4.appId, [OTHER_KEY]);
  const rotated = new WechatCipher(V4.appId, [V4.encodingAesKey, OTHER_KEY]);

  it("opens a message sealed with the previous key and says so with keyIndex 1", () => {
    expect(rotated.decrypt(previous.encrypt("in flight"))).toEqual({ message: "in flight", keyIndex: 1 });
  });

  it("prefers the current key", () => {
    expect(rotated.decrypt(rotated.encrypt("fresh")).keyIndex).toBe(0);
  });

  it("can seal a reply with the previous key for a request that came with it", () => {
    expect(previous.decrypt(rotated.encrypt("reply", undefined, 1)).message).toBe("reply");
  });

  it("refuses a malformed EncodingAESKey at construction", () => {
    expect(() => new WechatCipher(V4.appId, ["tooshort"])).toThrow(/43 characters/);
    expect(() => new WechatCipher(V4.appId, [])).toThrow();
  });
});
