import { spawnSync } from "node:child_process";
import { join } from "node:path";

/** `npm start` with a bad configuration: one clear line naming the variable, exit code 1, nothing started. */
describe("server start-up with a wrong configuration", () => {
  const main = join(__dirname, "../src/main.ts");
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", main], {
      env: { PATH: process.env.PATH ?? "", ...env },
      encoding: "utf8",
      timeout: 20_000,
      cwd: join(__dirname, "../.."),
    });

  it.each([
    [{ WECHAT_AES_KEY: "tooshort" }, "Configuration error: WECHAT_AES_KEY: expected the 43-character EncodingAESKey [A-Za-z0-9] (got \"tooshort\")"],
    [{ SANDBOX: "0" }, "Configuration error: WECHAT_APPID: required when SANDBOX is off"],
    [{ DATABASE_URL: "postgres://db/shuiwu" }, 'Configuration error: DATABASE_URL: expected mysql://user:pass@host:port/db or sqlite:path (got "postgres://db/shuiwu")'],
  ])("stops for %j", (env, line) => {
    const result = run(env);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(line);
    expect(result.stdout).not.toContain("is running");
  });
});
