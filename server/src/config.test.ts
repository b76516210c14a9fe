import { ConfigError, loadConfig, SANDBOX_APPID } from "./config";

describe("configuration", () => {
  it("runs the embedded default with no variables: SQLite, in-memory store, sandbox", () => {
    const config = loadConfig({});
    expect(config.database).toEqual({ kind: "sqlite", path: "data/shuiwu.sqlite" });
    expect(config.redisUrl).toBeUndefined();
    expect(config.sandbox).toBe(true);
    expect(config.seedDemo).toBe(true);
    expect(config.wechat.appId).toBe(SANDBOX_APPID);
    expect(config.wechat.apiBase).toBe("http://127.0.0.1:3000/sandbox/wechat-api");
    expect(config.wechat.aesKeys).toEqual([]);
  });

  it("reads production settings", () => {
    const config = loadConfig({
      PORT: "8080",
      PUBLIC_URL: "https://kf.example-water.cn/",
      DATABASE_URL: "mysql://u:p@db:3306/shuiwu",
      REDIS_URL: "redis://cache:6379/1",
      WECHAT_APPID: "wx1234567890abcdef",
      WECHAT_APPSECRET: "0123456789abcdef0123456789abcdef",
      WECHAT_TOKEN: "tok123",
      WECHAT_AES_KEY: "A".repeat(43),
    });
    expect(config.port).toBe(8080);
    expect(config.publicUrl).toBe("https://kf.example-water.cn");
    expect(config.database).toEqual({ kind: "mysql", url: "mysql://u:p@db:3306/shuiwu" });
    expect(config.sandbox).toBe(false);
    expect(config.seedDemo).toBe(false);
    expect(config.wechat.apiBase).toBe("https://api.weixin.qq.com");
    expect(config.wechat.aesKeys).toEqual(["A".repeat(43)]);
  });

  it.each([
    [{ PORT: "abc" }, /^PORT: .*got "abc"/],
    [{ DATABASE_URL: "postgres://x" }, /^DATABASE_URL: expected mysql:\/\/.* or sqlite:path/],
    [{ WECHAT_AES_KEY: "short" }, /^WECHAT_AES_KEY: expected the 43-character EncodingAESKey/],
    [{ REDIS_URL: "localhost:6379" }, /^REDIS_URL: expected redis:\/\//],
    [{ SANDBOX: "yes" }, /^SANDBOX: expected 1 or 0/],
    [{ WECHAT_APPID: "wx1234567890abcdef" }, /^WECHAT_APPSECRET: required when SANDBOX is off/],
    [{ SANDBOX: "0" }, /^WECHAT_APPID: required when SANDBOX is off/],
  ])("stops with one line naming the variable for %j", (env, message) => {
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(ConfigError);
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(message);
  });

  it("treats empty values as unset", () => {
    expect(loadConfig({ REDIS_URL: "", WECHAT_AES_KEY: "" }).redisUrl).toBeUndefined();
  });
});
