import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig } from "../../config";
import { ManualClock } from "../../infra/clock";
import { SANDBOX_PAY, sandboxPayEnv } from "../../sandbox/sandboxPayKeys";
import { createNotificationVerifier, createPay, NotifyRejected, toPayTransaction, toRefundResult, type TransactionResource } from "./notifications";
import { GO_NOTIFY, JAVA_API_V3_KEY, JAVA_DOWNLOAD_CERTIFICATE } from "./officialVectors.fixture";
import { encryptAes256Gcm, randomNonce, responseMessage, signSha256WithRsa, unixSeconds } from "./payCrypto";
import { decryptCertificates, WechatPayKeys, type PlatformCertificate } from "./payKeys";
import { checkWechatPaySignature, type NotifyHeaders } from "./signatures";

const NOW = new Date("2026-11-24T02:00:00Z");
const publicKey = { id: SANDBOX_PAY.publicKeyId, key: crypto.createPublicKey(SANDBOX_PAY.wechatpayPublicKeyPem) };
const platform: PlatformCertificate = {
  serialNo: SANDBOX_PAY.platformSerial,
  publicKey: new crypto.X509Certificate(SANDBOX_PAY.platformCertificatePem).publicKey,
  expiresAt: null,
};

/** A notification as WeChat Pay builds it, from the test-only WeChat Pay keys. */
function notification(options: { mode?: "public_key" | "platform_certificate"; at?: Date; resource?: object; aad?: string; apiV3Key?: string } = {}) {
  const resource = options.resource ?? { appid: "wxsandbox00000001", mchid: SANDBOX_PAY.mchId, out_trade_no: "T20261124000001", transaction_id: "4200000000202611240000000001", trade_state: "SUCCESS", amount: { total: 2500 }, payer: { openid: "oFan1" }, success_time: "2026-11-24T10:00:00+08:00" };
  const encrypted = encryptAes256Gcm(options.apiV3Key ?? SANDBOX_PAY.apiV3Key, JSON.stringify(resource), options.aad ?? "transaction");
  const body = JSON.stringify({
    id: "EV-2018022511223320873",
    create_time: "2026-11-24T10:00:01+08:00",
    resource_type: "encrypt-resource",
    event_type: "TRANSACTION.SUCCESS",
    summary: "支付成功",
    resource: { original_type: "transaction", algorithm: "AEAD_AES_256_GCM", ciphertext: encrypted.ciphertext, associated_data: encrypted.associatedData, nonce: encrypted.nonce },
  });
  const timestamp = unixSeconds(options.at ?? NOW);
  const nonce = randomNonce();
  const usePublicKey = (options.mode ?? "public_key") === "public_key";
  const signature = signSha256WithRsa(usePublicKey ? SANDBOX_PAY.wechatpayPrivateKeyPem : SANDBOX_PAY.platformPrivateKeyPem, responseMessage(timestamp, nonce, body));
  const headers: NotifyHeaders = { timestamp, nonce, signature, serial: usePublicKey ? SANDBOX_PAY.publicKeyId : SANDBOX_PAY.platformSerial };
  return { headers, body };
}

function setup(options: { loadCertificates?: () => Promise<PlatformCertificate[]>; withPublicKey?: boolean } = {}) {
  const clock = new ManualClock(NOW);
  const keys = new WechatPayKeys({ clock, publicKey: options.withPublicKey === false ? undefined : publicKey, loadCertificates: options.loadCertificates });
  const verifier = createNotificationVerifier({ keys, apiV3Key: SANDBOX_PAY.apiV3Key, clock });
  return { clock, keys, verifier };
}

function rejection(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof NotifyRejected) return error.reason;
    throw error;
  }
  throw new Error("not rejected");
}

describe("notification verifier", () => {
  it("accepts a public-key (PUB_KEY_ID) notification and returns the decrypted resource", () => {
    const { verifier } = setup();
    const { headers, body } = notification();
    const verified = verifier.verify<TransactionResource>(headers, body);
    expect(verified).toMatchObject({ id: "EV-2018022511223320873", eventType: "TRANSACTION.SUCCESS", summary: "支付成功" });
    expect(toPayTransaction(verified.resource)).toMatchObject({ outTradeNo: "T20261124000001", tradeState: "SUCCESS", amountFen: 2500, payerOpenid: "oFan1" });
  });

  it("accepts both key modes at once (WeChat mixes them while a merchant switches)", () => {
    const { verifier, keys } = setup();
    keys.addCertificates([platform]);
    for (const mode of ["public_key", "platform_certificate"] as const) {
      const { headers, body } = notification({ mode });
      expect(verifier.verify(headers, body).eventType).toBe("TRANSACTION.SUCCESS");
    }
  });

  it("rejects missing headers, probes, stale timestamps, bad signatures and tampered bodies", () => {
    const { verifier } = setup();
    const good = notification();
    expect(rejection(() => verifier.verify({ ...good.headers, nonce: undefined }, good.body))).toBe("missing_headers");
    expect(rejection(() => verifier.verify({ ...good.headers, signature: `WECHATPAY/SIGNTEST/${good.headers.signature}` }, good.body))).toBe("probe");
    const old = notification({ at: new Date(NOW.getTime() - 300_000) });
    expect(rejection(() => verifier.verify(old.headers, old.body))).toBe("stale");
    const future = notification({ at: new Date(NOW.getTime() + 300_000) });
    expect(rejection(() => verifier.verify(future.headers, future.body))).toBe("stale");
    const edge = notification({ at: new Date(NOW.getTime() - 299_000) });
    expect(verifier.verify(edge.headers, edge.body).id).toBeTruthy();
    expect(rejection(() => verifier.verify({ ...good.headers, timestamp: "soon" }, good.body))).toBe("malformed");
    expect(rejection(() => verifier.verify(good.headers, good.body.replace("支付成功", "支付失败")))).toBe("bad_signature");
    expect(rejection(() => verifier.verify(good.headers, `${good.body} `))).toBe("bad_signature");
    const otherKey = signSha256WithRsa(SANDBOX_PAY.merchantPrivateKeyPem, responseMessage(good.headers.timestamp!, good.headers.nonce!, good.body));
    expect(rejection(() => verifier.verify({ ...good.headers, signature: otherKey }, good.body))).toBe("bad_signature");
  });

  it("rejects a correctly signed notification whose resource fails GCM authentication", () => {
    const { verifier } = setup();
    const wrongKey = notification({ apiV3Key: "AnotherApiV3KeyTestOnly000000000" });
    expect(rejection(() => verifier.verify(wrongKey.headers, wrongKey.body))).toBe("decrypt_failed");
  });

  it("rejects unknown serials; an unknown certificate serial loads certificates (throttled) so the retry passes", async () => {
    let loads = 0;
    const { verifier, keys, clock } = setup({
      loadCertificates: async () => {
        loads++;
        return [platform];
      },
    });
    const byCertificate = notification({ mode: "platform_certificate" });
    expect(rejection(() => verifier.verify(byCertificate.headers, byCertificate.body))).toBe("unknown_serial");
    await keys.refresh(); // joins the background refresh the rejection started
    expect(loads).toBe(1);
    expect(verifier.verify(byCertificate.headers, byCertificate.body).eventType).toBe("TRANSACTION.SUCCESS");

    const forged = { ...byCertificate.headers, serial: "0123456789ABCDEF" };
    expect(rejection(() => verifier.verify(forged, byCertificate.body))).toBe("unknown_serial");
    await keys.refresh();
    expect(loads).toBe(1); // within the 60 s throttle a forged serial cannot make us download again
    clock.advance(61_000);
    await keys.refresh();
    expect(loads).toBe(2);

    const otherPublicKey = { ...byCertificate.headers, serial: "PUB_KEY_ID_0000000000000000000000000000000000" };
    expect(rejection(() => verifier.verify(otherPublicKey, byCertificate.body))).toBe("unknown_serial");
  });

  it("rejects bodies that are not a notification", () => {
    const { verifier } = setup();
    const signed = (body: string) => {
      const timestamp = unixSeconds(NOW);
      const nonce = randomNonce();
      return { headers: { timestamp, nonce, serial: SANDBOX_PAY.publicKeyId, signature: signSha256WithRsa(SANDBOX_PAY.wechatpayPrivateKeyPem, responseMessage(timestamp, nonce, body)) }, body };
    };
    for (const body of ["not json", "{}", '{"id":"1","create_time":"x","event_type":"E","resource":{"algorithm":"AES_CBC","ciphertext":"","nonce":""}}']) {
      const message = signed(body);
      expect(rejection(() => verifier.verify(message.headers, message.body))).toBe("malformed");
    }
  });

  it("verifies wechatpay-go's notify vector with its certificate as a platform certificate", () => {
    const clock = new ManualClock(new Date(Number(GO_NOTIFY.timestamp) * 1000));
    const keys = new WechatPayKeys({ clock });
    keys.addCertificates([{ serialNo: GO_NOTIFY.serial, publicKey: new crypto.X509Certificate(GO_NOTIFY.certificate).publicKey, expiresAt: null }]);
    const headers = { timestamp: GO_NOTIFY.timestamp, nonce: GO_NOTIFY.nonce, signature: GO_NOTIFY.signature, serial: GO_NOTIFY.serial.toLowerCase() };
    expect(() => checkWechatPaySignature(keys, clock, headers, GO_NOTIFY.body)).not.toThrow();
    clock.advance(300_000);
    expect(rejection(() => checkWechatPaySignature(keys, clock, headers, GO_NOTIFY.body))).toBe("stale");
  });
});

describe("platform certificates", () => {
  it("decrypts wechatpay-java's GET /v3/certificates answer to the certificate it names", () => {
    const [certificate] = decryptCertificates(JAVA_API_V3_KEY, [
      {
        serial_no: JAVA_DOWNLOAD_CERTIFICATE.serialNo,
        expire_time: JAVA_DOWNLOAD_CERTIFICATE.expireTime,
        encrypt_certificate: { algorithm: "AEAD_AES_256_GCM", nonce: JAVA_DOWNLOAD_CERTIFICATE.nonce, associated_data: "certificate", ciphertext: JAVA_DOWNLOAD_CERTIFICATE.ciphertext },
      },
    ]);
    expect(certificate.serialNo).toBe(JAVA_DOWNLOAD_CERTIFICATE.serialNo);
    expect(certificate.expiresAt).toEqual(new Date("2028-09-17T15:15:58Z"));
    expect(certificate.publicKey.asymmetricKeyType).toBe("rsa");
  });

  it("refuses a certificate under the wrong AAD or a serial that does not match it", () => {
    const item = {
      serial_no: JAVA_DOWNLOAD_CERTIFICATE.serialNo,
      encrypt_certificate: { algorithm: "AEAD_AES_256_GCM", nonce: JAVA_DOWNLOAD_CERTIFICATE.nonce, associated_data: "certificatf", ciphertext: JAVA_DOWNLOAD_CERTIFICATE.ciphertext },
    };
    expect(() => decryptCertificates(JAVA_API_V3_KEY, [item])).toThrow(/authentication/);
    expect(() => decryptCertificates(JAVA_API_V3_KEY, [{ ...item, serial_no: "1234", encrypt_certificate: { ...item.encrypt_certificate, associated_data: "certificate" } }])).toThrow(/does not match/);
  });
});

describe("resource conversion", () => {
  it("maps refund resources and refuses unknown states", () => {
    expect(toRefundResult({ mchid: "1", out_trade_no: "T1", out_refund_no: "R1", refund_id: "5030", refund_status: "SUCCESS", success_time: "2026-11-24T10:00:00+08:00", amount: { total: 100, refund: 40 } })).toEqual({
      outRefundNo: "R1",
      outTradeNo: "T1",
      refundId: "5030",
      status: "SUCCESS",
      refundFen: 40,
      successTime: new Date("2026-11-24T02:00:00Z"),
    });
    expect(() => toPayTransaction({ appid: "a", mchid: "m", out_trade_no: "T1", trade_state: "WEIRD" })).toThrow(/trade_state/);
  });
});

describe("createPay", () => {
  const clock = new ManualClock(NOW);

  it("is null when WeChat Pay is neither configured nor sandboxed", () => {
    expect(createPay(loadConfig({ WECHAT_APPID: "wx1234567890abcdef", WECHAT_APPSECRET: "0123456789abcdef0123", WECHAT_TOKEN: "token", SANDBOX: "0" }), { clock })).toBeNull();
  });

  it("uses the test merchant in sandbox mode and configured keys otherwise", () => {
    const sandbox = createPay(loadConfig({ SANDBOX: "1" }), { clock });
    expect(sandbox?.gateway.mchId).toBe(SANDBOX_PAY.mchId);
    expect(sandbox?.keys.publicKeyId).toBe(SANDBOX_PAY.publicKeyId);
    const configured = createPay(loadConfig({ SANDBOX: "1", ...sandboxPayEnv("http://127.0.0.1:1", "platform_certificate") }), { clock });
    expect(configured?.keys.publicKeyId).toBeUndefined();
  });

  it("names the missing or unreadable variable", () => {
    const env = sandboxPayEnv("http://127.0.0.1:1");
    expect(() => createPay(loadConfig({ SANDBOX: "1", ...env, WECHATPAY_APIV3_KEY: "" }), { clock })).toThrow(new ConfigError("WECHATPAY_APIV3_KEY: required when WeChat Pay is configured"));
    expect(() => createPay(loadConfig({ SANDBOX: "1", ...env, WECHATPAY_PUBLIC_KEY_ID: "" }), { clock })).toThrow(/WECHATPAY_PUBLIC_KEY_ID/);
    const notAKey = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pay-")), "key.pem");
    fs.writeFileSync(notAKey, "hello");
    expect(() => createPay(loadConfig({ SANDBOX: "1", ...env, WECHATPAY_PRIVATE_KEY_PATH: notAKey }), { clock })).toThrow(/WECHATPAY_PRIVATE_KEY_PATH: .* is not a PEM private key/);
    expect(() => createPay(loadConfig({ SANDBOX: "1", ...env, WECHATPAY_PRIVATE_KEY_PATH: "/nonexistent/key.pem" }), { clock })).toThrow(/cannot read/);
  });
});
