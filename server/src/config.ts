import { z } from "zod";

/**
 * Typed, validated configuration. Every variable is listed in config/.env.example and the README.
 * A wrong or missing value stops the server with one line naming the variable and what it expects.
 */
export class ConfigError extends Error {}

const OFFICIAL_API_BASE = "https://api.weixin.qq.com";
const OFFICIAL_PAY_API_BASE = "https://api.mch.weixin.qq.com";
export const SANDBOX_APPID = "wxsandbox00000001";
const SANDBOX_SECRET = "sandbox-secret";
const SANDBOX_TOKEN = "sandboxtoken";

const flag = z
  .enum(["0", "1", "true", "false"], { message: "expected 1 or 0" })
  .transform((v) => v === "1" || v === "true");
const httpUrl = z
  .string()
  .url({ message: "expected an http(s) URL" })
  .refine((v) => /^https?:\/\//.test(v), { message: "expected an http(s) URL" })
  .transform((v) => v.replace(/\/+$/, ""));
const aesKey = z.string().regex(/^[A-Za-z0-9]{43}$/, { message: "expected the 43-character EncodingAESKey [A-Za-z0-9]" });

const schema = z.object({
  PORT: z.coerce.number({ message: "expected a port number" }).int().min(0).max(65535).default(3000),
  PUBLIC_URL: httpUrl.optional(),
  DATABASE_URL: z
    .string()
    .regex(/^(mysql:\/\/.+|sqlite:.+)$/, { message: "expected mysql://user:pass@host:port/db or sqlite:path" })
    .default("sqlite:data/shuiwu.sqlite"),
  REDIS_URL: z.string().regex(/^rediss?:\/\/.+/, { message: "expected redis://host:port[/db]" }).optional(),
  WECHAT_APPID: z.string().regex(/^wx[0-9a-zA-Z]{14,30}$/, { message: "expected an AppID like wx1234567890abcdef" }).optional(),
  WECHAT_APPSECRET: z.string().min(16, { message: "expected the AppSecret (32 characters)" }).optional(),
  WECHAT_TOKEN: z.string().regex(/^[A-Za-z0-9]{3,32}$/, { message: "expected 3-32 letters or digits" }).optional(),
  WECHAT_AES_KEY: aesKey.optional(),
  WECHAT_AES_KEY_PREVIOUS: aesKey.optional(),
  WECHAT_API_BASE: httpUrl.optional(),
  WECHATPAY_MCHID: z.string().regex(/^\d{8,12}$/, { message: "expected the merchant id (digits)" }).optional(),
  WECHATPAY_SERIAL: z.string().regex(/^[0-9A-Fa-f]{8,64}$/, { message: "expected the merchant certificate serial (hex)" }).optional(),
  WECHATPAY_PRIVATE_KEY_PATH: z.string().min(1).optional(),
  WECHATPAY_PUBLIC_KEY_PATH: z.string().min(1).optional(),
  WECHATPAY_PUBLIC_KEY_ID: z.string().regex(/^PUB_KEY_ID_\w+$/, { message: "expected PUB_KEY_ID_…" }).optional(),
  WECHATPAY_APIV3_KEY: z.string().length(32, { message: "expected the 32-character APIv3 key" }).optional(),
  WECHATPAY_API_BASE: httpUrl.optional(),
  BILLING_API_BASE: httpUrl.optional(),
  SMS_API_BASE: httpUrl.optional(),
  SANDBOX: flag.optional(),
  SEED_DEMO: flag.optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export interface Config {
  port: number;
  publicUrl: string;
  database: { kind: "mysql"; url: string } | { kind: "sqlite"; path: string };
  redisUrl?: string;
  sandbox: boolean;
  seedDemo: boolean;
  logLevel: string;
  wechat: {
    appId: string;
    appSecret: string;
    token: string;
    /** Current EncodingAESKey first, then the previous one; empty = plaintext mode. */
    aesKeys: string[];
    apiBase: string;
  };
  wechatPay: {
    mchId?: string;
    serial?: string;
    privateKeyPath?: string;
    publicKeyPath?: string;
    publicKeyId?: string;
    apiV3Key?: string;
    apiBase: string;
  };
  billing: {
    /** The external billing system; unset = the built-in billing tables. */
    apiBase?: string;
  };
  sms: {
    /** The utility's SMS platform; unset = the sandbox's stand-in, or no SMS outside the sandbox. */
    apiBase?: string;
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings (e.g. `REDIS_URL=` in .env) mean "unset".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? "configuration");
    throw new ConfigError(`${name}: ${issue.message}${name in present ? ` (got "${present[name]}")` : ""}`);
  }
  const e = parsed.data;
  const sandbox = e.SANDBOX ?? e.WECHAT_APPID === undefined;
  if (!sandbox) {
    for (const name of ["WECHAT_APPID", "WECHAT_APPSECRET", "WECHAT_TOKEN"] as const) {
      if (!e[name]) throw new ConfigError(`${name}: required when SANDBOX is off`);
    }
  }
  const port = e.PORT;
  const database = e.DATABASE_URL.startsWith("mysql://")
    ? ({ kind: "mysql", url: e.DATABASE_URL } as const)
    : ({ kind: "sqlite", path: e.DATABASE_URL.slice("sqlite:".length) } as const);
  const selfUrl = `http://127.0.0.1:${port}`;
  return {
    port,
    publicUrl: e.PUBLIC_URL ?? `http://localhost:${port}`,
    database,
    redisUrl: e.REDIS_URL,
    sandbox,
    seedDemo: e.SEED_DEMO ?? sandbox,
    logLevel: e.LOG_LEVEL,
    wechat: {
      appId: e.WECHAT_APPID ?? SANDBOX_APPID,
      appSecret: e.WECHAT_APPSECRET ?? SANDBOX_SECRET,
      token: e.WECHAT_TOKEN ?? SANDBOX_TOKEN,
      aesKeys: [e.WECHAT_AES_KEY, e.WECHAT_AES_KEY_PREVIOUS].filter((k): k is string => Boolean(k)),
      // In sandbox mode the fake WeChat API is mounted on this very server.
      apiBase: e.WECHAT_API_BASE ?? (sandbox ? `${selfUrl}/sandbox/wechat-api` : OFFICIAL_API_BASE),
    },
    wechatPay: {
      mchId: e.WECHATPAY_MCHID,
      serial: e.WECHATPAY_SERIAL,
      privateKeyPath: e.WECHATPAY_PRIVATE_KEY_PATH,
      publicKeyPath: e.WECHATPAY_PUBLIC_KEY_PATH,
      publicKeyId: e.WECHATPAY_PUBLIC_KEY_ID,
      apiV3Key: e.WECHATPAY_APIV3_KEY,
      apiBase: e.WECHATPAY_API_BASE ?? (sandbox ? `${selfUrl}/sandbox/wechatpay-api` : OFFICIAL_PAY_API_BASE),
    },
    billing: { apiBase: e.BILLING_API_BASE },
    sms: { apiBase: e.SMS_API_BASE },
  };
}

/**
 * With PORT=0 (tests) the real port is known only after listen; the sandbox URLs derived from it are
 * rewritten then. Explicitly configured URLs are left alone.
 */
export function withActualPort(config: Config, port: number): Config {
  if (config.port !== 0) return config;
  const fix = (url: string) => url.replace(/^(http:\/\/(?:127\.0\.0\.1|localhost)):0(?=\/|$)/, `$1:${port}`);
  return {
    ...config,
    port,
    publicUrl: fix(config.publicUrl),
    wechat: { ...config.wechat, apiBase: fix(config.wechat.apiBase) },
    wechatPay: { ...config.wechatPay, apiBase: fix(config.wechatPay.apiBase) },
  };
}
