import crypto from "node:crypto";
import WxPay from "wechatpay-node-v3";
import { SANDBOX_PAY } from "../../sandbox/sandboxPayKeys";
import { GO_NOTIFY, JAVA_AEAD } from "./officialVectors.fixture";
import {
  decryptAes256Gcm,
  DecryptError,
  encryptAes256Gcm,
  parseAuthorization,
  paySignMessage,
  randomNonce,
  requestMessage,
  responseMessage,
  signSha256WithRsa,
  verifySha256WithRsa,
} from "./payCrypto";

/**
 * Protocol primitives against the official SDKs' vectors (reference §6) and against wechatpay-node-v3's
 * own helpers as an independent implementation.
 */

type WxPayStatic = { certificates: Record<string, string> };

function library(): WxPay {
  return new WxPay({
    appid: "wxsandbox00000001",
    mchid: SANDBOX_PAY.mchId,
    publicKey: Buffer.from(SANDBOX_PAY.merchantCertificatePem),
    privateKey: Buffer.from(SANDBOX_PAY.merchantPrivateKeyPem),
    serial_no: SANDBOX_PAY.merchantSerial,
    key: SANDBOX_PAY.apiV3Key,
  });
}

afterEach(() => {
  (WxPay as unknown as WxPayStatic).certificates = {};
});

describe("AEAD_AES_256_GCM", () => {
  const vector = { ciphertext: JAVA_AEAD.ciphertext, nonce: JAVA_AEAD.nonce, associatedData: JAVA_AEAD.associatedData };

  it("decrypts wechatpay-java's known answer", () => {
    expect(decryptAes256Gcm(JAVA_AEAD.key, vector)).toBe(JAVA_AEAD.plaintext);
  });

  it("refuses a wrong AAD, nonce, tag or key instead of returning garbage", () => {
    expect(() => decryptAes256Gcm(JAVA_AEAD.key, { ...vector, associatedData: "associatedDatX" })).toThrow(DecryptError);
    expect(() => decryptAes256Gcm(JAVA_AEAD.key, { ...vector, nonce: "uluk4a9R25RX" })).toThrow(DecryptError);
    const bytes = Buffer.from(vector.ciphertext, "base64");
    bytes[bytes.length - 1] ^= 1;
    expect(() => decryptAes256Gcm(JAVA_AEAD.key, { ...vector, ciphertext: bytes.toString("base64") })).toThrow(DecryptError);
    expect(() => decryptAes256Gcm("b7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb", vector)).toThrow(DecryptError);
    expect(() => decryptAes256Gcm("short", vector)).toThrow(/32 bytes/);
  });

  it("is what the library's decipher_gcm checks no longer (2.2.x dropped final()): a flipped tag still 'decrypts' there", () => {
    const bytes = Buffer.from(vector.ciphertext, "base64");
    bytes[bytes.length - 1] ^= 1;
    expect(library().decipher_gcm<string>(bytes.toString("base64"), vector.associatedData, vector.nonce, JAVA_AEAD.key)).toBe("message");
  });

  it("round-trips with our encryptor and with the library's decryptor as the other party", () => {
    const encrypted = encryptAes256Gcm(SANDBOX_PAY.apiV3Key, '{"out_trade_no":"T1000001"}', "transaction");
    expect(encrypted.nonce).toHaveLength(12);
    expect(decryptAes256Gcm(SANDBOX_PAY.apiV3Key, encrypted)).toBe('{"out_trade_no":"T1000001"}');
    expect(library().decipher_gcm(encrypted.ciphertext, encrypted.associatedData, encrypted.nonce)).toEqual({ out_trade_no: "T1000001" });
  });
});

describe("notification signature (wechatpay-go notify_test.go vector)", () => {
  const key = new crypto.X509Certificate(GO_NOTIFY.certificate).publicKey;
  const message = responseMessage(GO_NOTIFY.timestamp, GO_NOTIFY.nonce, GO_NOTIFY.body);

  it("verifies over timestamp\\nnonce\\nbody\\n with the raw body", () => {
    expect(new crypto.X509Certificate(GO_NOTIFY.certificate).serialNumber).toBe(GO_NOTIFY.serial);
    expect(verifySha256WithRsa(key, message, GO_NOTIFY.signature)).toBe(true);
  });

  it("fails for a re-serialised body, another nonce, a probe or garbage signature", () => {
    const reserialised = JSON.stringify(JSON.parse(GO_NOTIFY.body), null, 1);
    expect(verifySha256WithRsa(key, responseMessage(GO_NOTIFY.timestamp, GO_NOTIFY.nonce, reserialised), GO_NOTIFY.signature)).toBe(false);
    expect(verifySha256WithRsa(key, responseMessage(GO_NOTIFY.timestamp, "x", GO_NOTIFY.body), GO_NOTIFY.signature)).toBe(false);
    expect(verifySha256WithRsa(key, message, `WECHATPAY/SIGNTEST/${GO_NOTIFY.signature}`)).toBe(false);
    expect(verifySha256WithRsa(key, message, "not base64!")).toBe(false);
  });

  it("agrees with the library's verifySign when its certificate cache is pre-seeded", async () => {
    (WxPay as unknown as WxPayStatic).certificates = { [GO_NOTIFY.serial]: key.export({ type: "spki", format: "pem" }).toString() };
    const pay = library();
    const params = { timestamp: GO_NOTIFY.timestamp, nonce: GO_NOTIFY.nonce, serial: GO_NOTIFY.serial, signature: GO_NOTIFY.signature };
    await expect(pay.verifySign({ ...params, body: GO_NOTIFY.body })).resolves.toBe(true);
    await expect(pay.verifySign({ ...params, body: GO_NOTIFY.body.replace("签约成功", "签约失败") })).resolves.toBe(false);
  });
});

describe("merchant signatures", () => {
  const privateKey = crypto.createPrivateKey(SANDBOX_PAY.merchantPrivateKeyPem);
  const publicKey = new crypto.X509Certificate(SANDBOX_PAY.merchantCertificatePem).publicKey;

  it("signs paySign over appId\\ntimeStamp\\nnonceStr\\npackage\\n, byte-identical to the library (PKCS#1 v1.5 is deterministic)", () => {
    const message = paySignMessage("wxsandbox00000001", "1764000000", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS", "prepay_id=wx201410272009395522657a690389285100");
    expect(message).toBe("wxsandbox00000001\n1764000000\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n");
    const ours = signSha256WithRsa(privateKey, message);
    expect(ours).toBe(library().sha256WithRsa(message));
    expect(crypto.verify("RSA-SHA256", Buffer.from(message), publicKey, Buffer.from(ours, "base64"))).toBe(true);
  });

  it("builds the request sign string the library signs (POST with body, GET with an empty last line)", () => {
    const pay = library();
    const body = { mchid: SANDBOX_PAY.mchId };
    const post = requestMessage("POST", "/v3/pay/transactions/out-trade-no/T1000001/close", "1764000000", "N1", JSON.stringify(body));
    expect(signSha256WithRsa(privateKey, post)).toBe(pay.getSignature("POST", "N1", "1764000000", "/v3/pay/transactions/out-trade-no/T1000001/close", body));
    const get = requestMessage("GET", "/v3/certificates", "1764000000", "N2", "");
    expect(get.endsWith("N2\n\n")).toBe(true);
    expect(signSha256WithRsa(privateKey, get)).toBe(pay.getSignature("GET", "N2", "1764000000", "/v3/certificates"));
  });

  it("reads back the library's Authorization header", () => {
    const pay = library();
    const header = pay.getAuthorization("N3", "1764000000", "c2ln");
    expect(parseAuthorization(header)).toEqual({ mchid: SANDBOX_PAY.mchId, nonce_str: "N3", timestamp: "1764000000", serial_no: SANDBOX_PAY.merchantSerial, signature: "c2ln" });
    expect(parseAuthorization("Bearer x")).toBeNull();
  });

  it("draws nonces from a CSPRNG: 32 hex characters, no repeats", () => {
    const nonces = new Set(Array.from({ length: 1000 }, randomNonce));
    expect(nonces.size).toBe(1000);
    for (const nonce of nonces) expect(nonce).toMatch(/^[0-9A-F]{32}$/);
  });
});
