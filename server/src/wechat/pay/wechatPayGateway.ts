import crypto, { type KeyObject } from "node:crypto";
import zlib from "node:zlib";
import WxPay from "wechatpay-node-v3";
import type { Output } from "wechatpay-node-v3/dist/lib/interface-v2";
import type { IPayRequest } from "wechatpay-node-v3/dist/lib/pay-request.interface";
import type { Clock } from "../../infra/clock";
import type { Logger } from "../../infra/logger";
import { paySignMessage, randomNonce, responseMessage, signSha256WithRsa, unixSeconds, verifySha256WithRsa } from "./payCrypto";
import {
  PayApiError,
  type JsapiOrderInput,
  type JsapiPayParams,
  type PayGateway,
  type PayTransaction,
  type RefundInput,
  type RefundResult,
  type TradeBillRow,
} from "./payGateway";
import { decryptCertificates, type EncryptedCertificateItem, type PlatformCertificate, type WechatPayKeys } from "./payKeys";
import { parseTradeBill, rfc3339China } from "./tradeBill";
import { toPayTransaction, toRefundResult, type RefundResource, type TransactionResource } from "./payResources";
import { checkTimestamp, NotifyRejected, readWechatpayHeaders } from "./signatures";

/**
 * PayGateway over wechatpay-node-v3 2.2.1. The library builds the request URLs and bodies, signs the
 * Authorization header and calls our transport (its createHttp seam); we add what it lacks:
 * - a transport on fetch that sends to WECHATPAY_API_BASE (the library hard-codes the official host),
 *   with a timeout, and returns headers + raw body so we can verify response signatures;
 * - nonces from crypto.randomBytes and timestamps from our Clock in Authorization (buildAuthorization
 *   is overridden — the library uses Math.random and Date);
 * - JSAPI pay params built by us from the prepay_id (its own use Math.random nonces);
 * - response signature verification (its transport ignores Wechatpay-* headers), certificate download
 *   with a tag-checked decrypt, trade bill download with hash check and parsing, typed errors.
 */

const OFFICIAL_ORIGIN = /^https:\/\/api2?\.mch\.weixin\.qq\.com/;
const OFFICIAL_BASE = "https://api.mch.weixin.qq.com";
const DEFAULT_TIMEOUT_MS = 10_000;
/** Codes WeChat documents as "retry with the same parameters later". */
const RETRYABLE_CODES = new Set(["SYSTEM_ERROR", "SYSTEMERROR", "FREQUENCY_LIMITED", "FREQUENCY_LIMIT_EXCEED", "BANK_ERROR", "NOT_ENOUGH", "STATEMENT_CREATING"]);

/** What our transport hands back to the library (which passes it through untouched). */
interface TransportOutput extends Output {
  headers?: Headers;
  /** The body exactly as received (text); undefined for binary downloads. */
  rawBody?: string;
}

class PayTransport implements IPayRequest {
  constructor(
    private readonly options: {
      apiBase: string;
      timeoutMs: number;
      fetchImpl: typeof fetch;
      extraHeaders: Record<string, string>;
    },
  ) {}

  post(url: string, params: Record<string, unknown>, headers: Record<string, string>): Promise<Output> {
    // The library signed JSON.stringify(params); send exactly that text.
    return this.send("POST", url, JSON.stringify(params), headers);
  }

  get(url: string, headers: Record<string, string>): Promise<Output> {
    return this.send("GET", url, undefined, headers);
  }

  upload(): Promise<Output> {
    throw new PayApiError("upload is not used", { code: "UNSUPPORTED", retryable: false });
  }

  private async send(method: "GET" | "POST", url: string, body: string | undefined, libraryHeaders: Record<string, string>): Promise<TransportOutput> {
    const target = url.replace(OFFICIAL_ORIGIN, this.options.apiBase);
    const path = url.replace(OFFICIAL_ORIGIN, "").split("?")[0];
    const headers: Record<string, string> = { ...libraryHeaders, ...this.options.extraHeaders };
    delete headers["Accept-Encoding"]; // fetch negotiates compression itself
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    let bytes: Buffer;
    try {
      response = await this.options.fetchImpl(target, { method, body, headers, signal: AbortSignal.timeout(this.options.timeoutMs) });
      bytes = Buffer.from(await response.arrayBuffer());
    } catch (error) {
      // DOMException (the timeout) is not always an Error instance across realms: go by name.
      const name = (error as { name?: unknown } | null)?.name;
      const timeout = name === "TimeoutError" || name === "AbortError";
      throw new PayApiError(`${method} ${path}: ${timeout ? "timed out" : `network error (${(error as Error).message})`}`, {
        code: timeout ? "TIMEOUT" : "NETWORK",
        retryable: true,
      });
    }
    const contentType = response.headers.get("content-type") ?? "";
    const isText = bytes.length === 0 || /json|text/i.test(contentType);
    const rawBody = isText ? bytes.toString("utf8") : undefined;
    let data: unknown = isText ? {} : bytes;
    if (rawBody) {
      try {
        data = JSON.parse(rawBody);
      } catch {
        data = rawBody;
      }
    }
    const output: TransportOutput = { status: response.status, data, headers: response.headers, rawBody };
    if (response.status >= 300) output.error = rawBody ?? `HTTP ${response.status}`;
    return output;
  }
}

/** The library, with Authorization built from a CSPRNG nonce and our clock. */
class SignedWxPay extends WxPay {
  private clock!: Clock;

  static create(options: ConstructorParameters<typeof WxPay>[0], clock: Clock): SignedWxPay {
    const pay = new SignedWxPay(options);
    pay.clock = clock;
    return pay;
  }

  protected override buildAuthorization(method: string, url: string, params?: Record<string, unknown>): string {
    const nonce = randomNonce();
    const timestamp = unixSeconds(this.clock.now());
    // Signed: the path and query only (our apiBase swap happens later, in the transport).
    const signature = this.getSignature(method, nonce, timestamp, url.replace(/^https?:\/\/[^/]+/, ""), params);
    return this.getAuthorization(nonce, timestamp, signature);
  }

  /** A signed GET the library has no method for (GET /v3/certificates with our decrypt). */
  signedGet(path: string): Promise<Output> {
    const url = `${OFFICIAL_BASE}${path}`;
    return this.httpService.get(url, this.getHeaders(this.buildAuthorization("GET", url)));
  }
}

export interface WechatPayGatewayOptions {
  appId: string;
  mchId: string;
  merchantSerial: string;
  privateKeyPem: string;
  apiV3Key: string;
  apiBase: string;
  keys: WechatPayKeys;
  clock: Clock;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
  logger?: Logger;
}

export class WechatPayGateway implements PayGateway {
  readonly appId: string;
  readonly mchId: string;
  private readonly client: SignedWxPay;
  private readonly privateKey: KeyObject;

  constructor(private readonly options: WechatPayGatewayOptions) {
    this.appId = options.appId;
    this.mchId = options.mchId;
    this.privateKey = crypto.createPrivateKey(options.privateKeyPem);
    const publicPem = crypto.createPublicKey(this.privateKey).export({ type: "spki", format: "pem" }).toString();
    this.client = SignedWxPay.create(
      {
        appid: options.appId,
        mchid: options.mchId,
        // Only used by the library to derive serial_no, which we pass explicitly.
        publicKey: Buffer.from(publicPem),
        privateKey: Buffer.from(options.privateKeyPem),
        serial_no: options.merchantSerial,
        key: options.apiV3Key,
        userAgent: "shuiwu-service-desk (wechatpay-node-v3)",
      },
      options.clock,
    );
    this.client.createHttp(
      new PayTransport({
        apiBase: options.apiBase,
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        fetchImpl: options.fetchImpl ?? fetch,
        // Asks WeChat to sign responses with the public key (doc: brand 4015433973; merchant switch FAQ).
        extraHeaders: options.keys.publicKeyId ? { "Wechatpay-Serial": options.keys.publicKeyId } : {},
      }),
    );
  }

  async createJsapiOrder(input: JsapiOrderInput): Promise<JsapiPayParams> {
    checkOrderInput(input);
    const result = await this.call("POST /v3/pay/transactions/jsapi", () =>
      this.client.transactions_jsapi({
        description: input.description,
        out_trade_no: input.outTradeNo,
        time_expire: rfc3339China(input.expiresAt),
        ...(input.attach !== undefined ? { attach: input.attach } : {}),
        notify_url: input.notifyUrl,
        amount: { total: input.amountFen, currency: "CNY" },
        payer: { openid: input.payerOpenid },
      }),
    );
    const pkg = (result.data as { package?: unknown } | undefined)?.package;
    if (result.status !== 200 || typeof pkg !== "string" || !pkg.startsWith("prepay_id=")) {
      throw badResponse("POST /v3/pay/transactions/jsapi", "no prepay_id");
    }
    return this.payParams(pkg.slice("prepay_id=".length));
  }

  /** The getBrandWCPayRequest arguments for a prepay_id, signed with the merchant key. */
  payParams(prepayId: string): JsapiPayParams {
    const timeStamp = unixSeconds(this.options.clock.now());
    const nonceStr = randomNonce();
    const pkg = `prepay_id=${prepayId}`;
    const paySign = signSha256WithRsa(this.privateKey, paySignMessage(this.appId, timeStamp, nonceStr, pkg));
    return { appId: this.appId, timeStamp, nonceStr, package: pkg, signType: "RSA", paySign };
  }

  async queryOrder(outTradeNo: string): Promise<PayTransaction | null> {
    checkOutNo(outTradeNo, "outTradeNo");
    const result = await this.call("GET /v3/pay/transactions/out-trade-no", () => this.client.query({ out_trade_no: outTradeNo }), ["ORDER_NOT_EXIST"]);
    if (result.status === 404 || errorCode(result) === "ORDER_NOT_EXIST") return null;
    return toPayTransaction(result.data as TransactionResource);
  }

  async closeOrder(outTradeNo: string): Promise<void> {
    checkOutNo(outTradeNo, "outTradeNo");
    await this.call("POST /v3/pay/transactions/out-trade-no/close", () => this.client.close(outTradeNo));
  }

  async refund(input: RefundInput): Promise<RefundResult> {
    checkOutNo(input.outTradeNo, "outTradeNo");
    checkOutNo(input.outRefundNo, "outRefundNo", 64);
    if (!isPositiveFen(input.refundFen) || !isPositiveFen(input.totalFen) || input.refundFen > input.totalFen) {
      throw invalid("refundFen must be a positive integer not above totalFen");
    }
    checkNotifyUrl(input.notifyUrl);
    const result = await this.call("POST /v3/refund/domestic/refunds", () =>
      this.client.refunds({
        out_trade_no: input.outTradeNo,
        out_refund_no: input.outRefundNo,
        ...(input.reason ? { reason: input.reason.slice(0, 80) } : {}),
        notify_url: input.notifyUrl,
        amount: { refund: input.refundFen, total: input.totalFen, currency: "CNY" },
      }),
    );
    return toRefundResult(result.data as Omit<RefundResource, "refund_status"> & { status: string });
  }

  async queryRefund(outRefundNo: string): Promise<RefundResult | null> {
    checkOutNo(outRefundNo, "outRefundNo", 64);
    const result = await this.call("GET /v3/refund/domestic/refunds", () => this.client.find_refunds(outRefundNo), ["RESOURCE_NOT_EXISTS"]);
    if (result.status === 404 || errorCode(result) === "RESOURCE_NOT_EXISTS") return null;
    return toRefundResult(result.data as Omit<RefundResource, "refund_status"> & { status: string });
  }

  /**
   * [] when WeChat says there is no bill because nothing happened that day (NO_STATEMENT_EXIST); null while
   * the bill is still being made (STATEMENT_CREATING; bills are ready after 10:00 the next day).
   */
  async tradeBill(billDate: string): Promise<TradeBillRow[] | null> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(billDate)) throw invalid("billDate must be YYYY-MM-DD");
    const result = await this.call(
      "GET /v3/bill/tradebill",
      () => this.client.tradebill({ bill_date: billDate, bill_type: "ALL", tar_type: "GZIP" }),
      ["NO_STATEMENT_EXIST", "STATEMENT_CREATING"],
    );
    const code = errorCode(result);
    if (code === "NO_STATEMENT_EXIST") return [];
    if (code === "STATEMENT_CREATING") return null;
    const apply = result.data as { hash_type?: string; hash_value?: string; download_url?: string };
    if (typeof apply?.download_url !== "string") throw badResponse("GET /v3/bill/tradebill", "no download_url");
    // The download carries no Wechatpay-* signature (doc 4012084430): its integrity is the SHA1 from the signed apply.
    const download = (await this.call("GET /v3/billdownload/file", () => this.client.downloadBill(apply.download_url!), [], false)) as TransportOutput;
    const file = Buffer.isBuffer(download.data) ? download.data : Buffer.from(download.rawBody ?? "", "utf8");
    const plain = file.length > 2 && file[0] === 0x1f && file[1] === 0x8b ? zlib.gunzipSync(file) : file;
    if (apply.hash_value) {
      // Documented as the digest of the original (uncompressed) bill; also accept the file as sent.
      const expected = apply.hash_value.toLowerCase();
      const matches = [plain, file].some((bytes) => crypto.createHash("sha1").update(bytes).digest("hex") === expected);
      if (!matches) throw new PayApiError("trade bill hash mismatch", { code: "BAD_RESPONSE", retryable: true });
    }
    return parseTradeBill(plain.toString("utf8"));
  }

  /** GET /v3/certificates, decrypted with the APIv3 key (tag checked); the response is verified with them. */
  async downloadCertificates(): Promise<PlatformCertificate[]> {
    const result = (await this.client.signedGet("/v3/certificates")) as TransportOutput;
    if (result.status !== 200) throw this.apiError("GET /v3/certificates", result);
    const items = (result.data as { data?: EncryptedCertificateItem[] } | undefined)?.data;
    if (!Array.isArray(items) || items.length === 0) throw badResponse("GET /v3/certificates", "no certificates");
    const certificates = decryptCertificates(this.options.apiV3Key, items);
    // The answer is signed with one of the certificates it carries (or an already trusted key).
    const headers = readWechatpayHeaders(result.headers ?? new Headers());
    const key = certificates.find((c) => headers.serial && c.serialNo === headers.serial.toUpperCase())?.publicKey ?? (headers.serial ? this.options.keys.find(headers.serial) : undefined);
    this.checkResponseSignature("GET /v3/certificates", result, key);
    return certificates;
  }

  /**
   * Runs one library call: verifies the response signature (required on 200 answers with a body, checked
   * whenever present otherwise) and turns non-2xx answers into PayApiError unless the code is expected.
   */
  private async call(what: string, run: () => Promise<Output>, expectedCodes: string[] = [], signed = true): Promise<TransportOutput> {
    const result = (await run()) as TransportOutput;
    if (signed) {
      const headers = readWechatpayHeaders(result.headers ?? new Headers());
      const key = headers.serial ? await this.options.keys.findOrRefresh(headers.serial) : undefined;
      if (headers.signature || (result.status === 200 && result.rawBody)) this.checkResponseSignature(what, result, key);
    }
    this.options.logger?.debug({ call: what, status: result.status }, "wechat pay call");
    if (result.status >= 200 && result.status < 300) return result;
    if (expectedCodes.includes(errorCode(result) ?? "")) return result;
    throw this.apiError(what, result);
  }

  private checkResponseSignature(what: string, result: TransportOutput, key: KeyObject | undefined): void {
    const headers = readWechatpayHeaders(result.headers ?? new Headers());
    const { timestamp, nonce, signature, serial } = headers;
    if (!timestamp || !nonce || !signature || !serial) {
      throw new PayApiError(`${what}: response is not signed`, { status: result.status, code: "BAD_RESPONSE_SIGNATURE", retryable: false });
    }
    if (!key) {
      throw new PayApiError(`${what}: response signed with unknown serial ${serial}`, { status: result.status, code: "UNKNOWN_SERIAL", retryable: true });
    }
    try {
      checkTimestamp(this.options.clock, timestamp);
    } catch (error) {
      if (error instanceof NotifyRejected) {
        throw new PayApiError(`${what}: response timestamp ${error.message}`, { status: result.status, code: "BAD_RESPONSE_SIGNATURE", retryable: true });
      }
      throw error;
    }
    if (!verifySha256WithRsa(key, responseMessage(timestamp, nonce, result.rawBody ?? ""), signature)) {
      throw new PayApiError(`${what}: response signature does not verify`, { status: result.status, code: "BAD_RESPONSE_SIGNATURE", retryable: false });
    }
  }

  private apiError(what: string, result: TransportOutput): PayApiError {
    const code = errorCode(result) ?? `HTTP_${result.status}`;
    const message = (result.data as { message?: unknown } | undefined)?.message;
    return new PayApiError(`${what}: ${result.status} ${code}${typeof message === "string" ? ` ${message}` : ""}`, {
      status: result.status,
      code,
      retryable: result.status >= 500 || result.status === 429 || RETRYABLE_CODES.has(code),
    });
  }
}

function errorCode(result: Output): string | undefined {
  if (result.status >= 200 && result.status < 300) return undefined;
  const code = (result.data as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

function isPositiveFen(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}

function checkOutNo(value: string, name: string, max = 32): void {
  if (!new RegExp(`^[A-Za-z0-9_\\-|*]{6,${max}}$`).test(value)) throw invalid(`${name} must be 6-${max} of [A-Za-z0-9_-|*]`);
}

function checkNotifyUrl(url: string): void {
  if (!/^https?:\/\/[^?#\s]+$/.test(url) || url.length > 255) throw invalid("notifyUrl must be an http(s) URL without query, at most 255 characters");
}

function checkOrderInput(input: JsapiOrderInput): void {
  checkOutNo(input.outTradeNo, "outTradeNo");
  if (!isPositiveFen(input.amountFen)) throw invalid("amountFen must be a positive integer");
  const descriptionBytes = Buffer.byteLength(input.description, "utf8");
  if (descriptionBytes === 0 || descriptionBytes > 127) throw invalid("description must be 1-127 UTF-8 bytes");
  if (!input.payerOpenid) throw invalid("payerOpenid is required");
  if (!(input.expiresAt instanceof Date) || Number.isNaN(input.expiresAt.getTime())) throw invalid("expiresAt must be a date");
  if (input.attach !== undefined && Buffer.byteLength(input.attach, "utf8") > 128) throw invalid("attach must be at most 128 bytes");
  checkNotifyUrl(input.notifyUrl);
}

function invalid(message: string): PayApiError {
  return new PayApiError(message, { code: "INVALID_INPUT", retryable: false });
}

function badResponse(what: string, message: string): PayApiError {
  return new PayApiError(`${what}: ${message}`, { code: "BAD_RESPONSE", retryable: false });
}
