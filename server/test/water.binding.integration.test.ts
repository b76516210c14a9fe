import { DEMO_FANS } from "../src/modules/demo/seedDemo";
import { DEMO_WATER_ACCOUNTS } from "../src/modules/water/demoWater";
import { api, makeAgent } from "./conversationsHelpers";
import { bindDemo, get, local, minutePassed, newPhone, signInFan, smsCodeFor, startWaterHarness, verifiedFan, type WaterHarness } from "./waterHelpers";

/** Fan identity (web OAuth in the sandbox), SMS-verified phone, account binding, ownership and audit. */
describe("water: fan sign-in, phone and binding (MariaDB + Redis)", () => {
  let h: WaterHarness;
  const [zhang, li, wang] = DEMO_WATER_ACCOUNTS;

  beforeAll(async () => {
    h = await startWaterHarness("waterbind");
  });
  afterAll(async () => {
    await h?.close();
  });

  const query = (sql: string, params: unknown[] = []) => h.server.dataSource.query(sql, params);

  describe("sign-in", () => {
    it("signs a fan in through the sandbox OAuth page and lands on `next` with an http-only cookie", async () => {
      const start = await get(`${h.server.url}/api/fan/oauth/start?next=${encodeURIComponent("/h5/#/bills")}`);
      expect(start.status).toBe(302);
      const sandboxPage = new URL(start.headers.get("location")!);
      expect(sandboxPage.pathname).toBe("/sandbox/oauth");
      const callback = await get(local(h.server, start.headers.get("location")!));
      const callbackUrl = new URL(callback.headers.get("location")!);
      expect(callbackUrl.pathname).toBe("/api/fan/oauth/callback");
      expect(callbackUrl.searchParams.get("code")).toMatch(/^[0-9a-f]{32}$/);
      const landed = await get(local(h.server, callback.headers.get("location")!));
      expect(landed.status).toBe(302);
      expect(landed.headers.get("location")).toBe("/h5/#/bills");
      const setCookie = landed.headers.get("set-cookie")!;
      expect(setCookie).toMatch(/shuiwu_fan=/);
      expect(setCookie.toLowerCase()).toContain("httponly");
      const cookie = /shuiwu_fan=[^;]+/.exec(setCookie)![0];
      // Without ?openid the sandbox signs in the first demo fan.
      expect((await api(h.server, "GET", "/api/fan/me", { cookie })).body).toMatchObject({ openid: DEMO_FANS[0].openid, phone: null, sandbox: true });

      // The state is single-use: replaying the callback is refused.
      const replay = await get(local(h.server, callback.headers.get("location")!));
      expect(replay.status).toBe(400);
    });

    it("refuses a callback whose state was never issued, and never redirects off-site", async () => {
      const forged = await api(h.server, "GET", `/api/fan/oauth/callback?code=abc&state=${"0".repeat(32)}`);
      expect(forged.status).toBe(400);
      expect(forged.body.error.code).toBe("oauth_state_invalid");
      const { landedAt } = await signInFan(h.server, "oFanOffsite0000000000000001", "https://evil.example/");
      expect(landedAt).toBe("/h5/");
      const sandboxOff = await api(h.server, "GET", `/sandbox/oauth?redirect=${encodeURIComponent("https://evil.example/cb")}`);
      expect(sandboxOff.status).toBe(400);
    });

    it("requires the fan session on every /api/fan route; a console cookie is not one", async () => {
      const id = "0190a0a0-0000-7000-8000-000000000000";
      const routes: [string, string][] = [
        ["GET", "/api/fan/me"],
        ["POST", "/api/fan/sms-code"],
        ["POST", "/api/fan/phone"],
        ["GET", "/api/fan/accounts"],
        ["POST", "/api/fan/accounts"],
        ["DELETE", `/api/fan/accounts/${id}`],
        ["GET", `/api/fan/accounts/${id}/bills`],
        ["GET", `/api/fan/accounts/${id}/bills/2025-01`],
        ["PUT", "/api/fan/subscriptions"],
      ];
      const admin = await makeAgent(h.server, { role: "admin" });
      for (const [method, path] of routes) {
        const body = method === "GET" || method === "DELETE" ? undefined : {};
        expect([method, path, (await api(h.server, method, path, { body })).status]).toEqual([method, path, 401]);
        expect([method, path, (await api(h.server, method, path, { body, cookie: admin.cookie })).status]).toEqual([method, path, 401]);
      }
    });
  });

  describe("SMS codes", () => {
    it("sends at most one code a minute per phone under concurrent requests from different fans", async () => {
      const phone = newPhone();
      const fans = await Promise.all(Array.from({ length: 6 }, (_, i) => signInFan(h.server, `oFanSmsPhone00000000000000${i}`)));
      const answers = await Promise.all(fans.map(({ cookie }) => api(h.server, "POST", "/api/fan/sms-code", { cookie, body: { phone } })));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 429, 429, 429, 429, 429]);
      expect(answers.find((a) => a.status === 429)!.body.error.code).toBe("sms_too_frequent");
    });

    it("sends at most one code a minute per fan under concurrent requests for different phones", async () => {
      const { cookie } = await signInFan(h.server, "oFanSmsFan000000000000000001");
      const answers = await Promise.all(Array.from({ length: 6 }, () => api(h.server, "POST", "/api/fan/sms-code", { cookie, body: { phone: newPhone() } })));
      expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
      expect(answers.filter((a) => a.status === 429)).toHaveLength(5);
    });

    it("sends at most five codes a day per phone, and five per fan", async () => {
      const phone = newPhone();
      const openids = Array.from({ length: 6 }, (_, i) => `oFanSmsDayPhone000000000000${i}`);
      const cookies = await Promise.all(openids.map(async (openid) => (await signInFan(h.server, openid)).cookie));
      for (let i = 0; i < 5; i++) {
        expect((await api(h.server, "POST", "/api/fan/sms-code", { cookie: cookies[i], body: { phone } })).status).toBe(200);
        await minutePassed(h.server, phone, openids[i]);
      }
      const sixth = await api(h.server, "POST", "/api/fan/sms-code", { cookie: cookies[5], body: { phone } });
      expect(sixth.status).toBe(429);
      expect(sixth.body.error.code).toBe("sms_daily_limit");

      const fan = "oFanSmsDayFan00000000000001";
      const { cookie } = await signInFan(h.server, fan);
      const phones = Array.from({ length: 6 }, () => newPhone());
      for (let i = 0; i < 5; i++) {
        expect((await api(h.server, "POST", "/api/fan/sms-code", { cookie, body: { phone: phones[i] } })).status).toBe(200);
        await minutePassed(h.server, phones[i], fan);
      }
      expect((await api(h.server, "POST", "/api/fan/sms-code", { cookie, body: { phone: phones[5] } })).body.error.code).toBe("sms_daily_limit");
    });

    it("holds five a day per phone over bursts of concurrent requests", async () => {
      const phone = newPhone();
      const fans = Array.from({ length: 6 }, (_, i) => `oFanSmsDayBurst0000000000${i}`);
      const cookies = await Promise.all(fans.map(async (openid) => (await signInFan(h.server, openid)).cookie));
      const perRound: number[] = [];
      for (let round = 0; round < 7; round++) {
        const answers = await Promise.all(cookies.map((cookie) => api(h.server, "POST", "/api/fan/sms-code", { cookie, body: { phone } })));
        perRound.push(answers.filter((a) => a.status === 200).length);
        // A minute passes between bursts.
        await h.server.kv.delete(`water:sms:gap:phone:${phone}`);
        for (const openid of fans) await h.server.kv.delete(`water:sms:gap:fan:${openid}`);
      }
      expect(perRound).toEqual([1, 1, 1, 1, 1, 0, 0]);
    });

    it("verifies the phone with the code; a wrong code counts, five wrong tries invalidate the code", async () => {
      const phone = newPhone();
      const openid = "oFanSmsTries000000000000001";
      const { cookie } = await signInFan(h.server, openid);
      expect((await api(h.server, "POST", "/api/fan/sms-code", { cookie, body: { phone } })).body).toEqual({ expiresInSeconds: 300, resendAfterSeconds: 60 });
      const code = await smsCodeFor(h.server, phone);
      const wrong = code === "000000" ? "111111" : "000000";
      const first = await api(h.server, "POST", "/api/fan/phone", { cookie, body: { phone, code: wrong } });
      expect(first.status).toBe(400);
      expect(first.body.error).toMatchObject({ code: "sms_code_wrong", message: "验证码不正确，还可以再试 4 次" });
      for (let i = 0; i < 4; i++) await api(h.server, "POST", "/api/fan/phone", { cookie, body: { phone, code: wrong } });
      // Five tries used: even the right code no longer works.
      const late = await api(h.server, "POST", "/api/fan/phone", { cookie, body: { phone, code } });
      expect(late.status).toBe(400);
      expect(late.body.error.code).toBe("sms_code_expired");

      await minutePassed(h.server, phone, openid);
      await api(h.server, "POST", "/api/fan/sms-code", { cookie, body: { phone } });
      const fresh = await smsCodeFor(h.server, phone);
      const ok = await api(h.server, "POST", "/api/fan/phone", { cookie, body: { phone, code: fresh } });
      expect(ok.status).toBe(200);
      expect(ok.body.phone).toBe(`${phone.slice(0, 3)}****${phone.slice(7)}`);
      // Single use.
      expect((await api(h.server, "POST", "/api/fan/phone", { cookie, body: { phone, code: fresh } })).status).toBe(400);
      expect((await api(h.server, "GET", "/api/fan/me", { cookie })).body.phone.phone).toBe(ok.body.phone);
    });

    it("limits concurrent guesses to five tries", async () => {
      const phone = newPhone();
      const { cookie } = await signInFan(h.server, "oFanSmsConcTries00000000001");
      await api(h.server, "POST", "/api/fan/sms-code", { cookie, body: { phone } });
      const code = await smsCodeFor(h.server, phone);
      const guesses = Array.from({ length: 12 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, "0"));
      const answers = await Promise.all(guesses.map((guess) => api(h.server, "POST", "/api/fan/phone", { cookie, body: { phone, code: guess } })));
      expect(answers.filter((a) => a.body.error?.code === "sms_code_wrong")).toHaveLength(5);
      expect((await api(h.server, "POST", "/api/fan/phone", { cookie, body: { phone, code } })).status).toBe(400);
    });

    it("expires a code after five minutes", async () => {
      const phone = newPhone();
      const { cookie } = await signInFan(h.server, "oFanSmsExpiry00000000000001");
      await api(h.server, "POST", "/api/fan/sms-code", { cookie, body: { phone } });
      const code = await smsCodeFor(h.server, phone);
      h.clock.advance(5 * 60_000 + 1000);
      const late = await api(h.server, "POST", "/api/fan/phone", { cookie, body: { phone, code } });
      expect(late.status).toBe(400);
      expect(late.body.error).toMatchObject({ code: "sms_code_expired", message: "验证码已失效，请重新获取" });
    });

    it("does not accept a code sent for another fan", async () => {
      const phone = newPhone();
      const a = await signInFan(h.server, "oFanSmsOwnerA00000000000001");
      const b = await signInFan(h.server, "oFanSmsOwnerB00000000000001");
      await api(h.server, "POST", "/api/fan/sms-code", { cookie: a.cookie, body: { phone } });
      const code = await smsCodeFor(h.server, phone);
      expect((await api(h.server, "POST", "/api/fan/phone", { cookie: b.cookie, body: { phone, code } })).status).toBe(400);
    });

    it("refuses a malformed phone number", async () => {
      const { cookie } = await signInFan(h.server, "oFanSmsBadPhone000000000001");
      const bad = await api(h.server, "POST", "/api/fan/sms-code", { cookie, body: { phone: "12345" } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toBe("请填写正确的 11 位手机号");
    });
  });

  describe("binding", () => {
    it("needs a verified phone first", async () => {
      const { cookie } = await signInFan(h.server, "oFanBindNoPhone000000000001");
      const refused = await bindDemo(h.server, cookie, zhang.customerNumber, zhang.ownerName);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toBe("请先验证手机号再绑定户号");
    });

    it("binds several accounts, lists them masked, refuses a second binding of the same account, and unbinds", async () => {
      const cookie = await verifiedFan(h.server, "oFanBindMany000000000000001", newPhone());
      const first = await bindDemo(h.server, cookie, zhang.customerNumber, zhang.ownerName);
      expect(first.status).toBe(201);
      expect(first.body.account).toMatchObject({ customerNumber: zhang.customerNumber, ownerName: "张*国", area: zhang.area, subscribed: false });
      expect((await bindDemo(h.server, cookie, li.customerNumber, ` ${li.ownerName} `)).status).toBe(201);
      const again = await bindDemo(h.server, cookie, zhang.customerNumber, zhang.ownerName);
      expect(again.status).toBe(409);

      const list = await api(h.server, "GET", "/api/fan/accounts", { cookie });
      expect(list.body.accounts.map((a: { customerNumber: string }) => a.customerNumber)).toEqual([zhang.customerNumber, li.customerNumber]);

      expect((await api(h.server, "DELETE", `/api/fan/accounts/${first.body.account.id}`, { cookie })).status).toBe(204);
      const after = await api(h.server, "GET", "/api/fan/accounts", { cookie });
      expect(after.body.accounts.map((a: { customerNumber: string }) => a.customerNumber)).toEqual([li.customerNumber]);
    });

    it("answers a wrong owner name, a wrong password and an unknown account with the same error", async () => {
      const cookie = await verifiedFan(h.server, "oFanBindWrong00000000000001", newPhone());
      const answers = [
        await bindDemo(h.server, cookie, wang.customerNumber, "王小明"),
        await bindDemo(h.server, cookie, wang.customerNumber, wang.ownerName, "654321"),
        await bindDemo(h.server, cookie, "999999999", wang.ownerName),
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(400);
        expect(answer.body.error).toEqual({ code: "binding_mismatch", message: "户号、户主姓名或查询密码不正确" });
      }
    });

    it("stops a fan after five failed attempts within the hour, even when the guesses arrive at once", async () => {
      const cookie = await verifiedFan(h.server, "oFanBindLimit00000000000001", newPhone());
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => bindDemo(h.server, cookie, wang.customerNumber, wang.ownerName, `wrong${i}`)));
      expect(answers.filter((a) => a.status === 400)).toHaveLength(5);
      expect(answers.filter((a) => a.status === 429)).toHaveLength(3);
      // Now even the right answer waits.
      const right = await bindDemo(h.server, cookie, wang.customerNumber, wang.ownerName);
      expect(right.status).toBe(429);
      expect(right.body.error.code).toBe("bind_too_many_attempts");
    });

    it("never lets a fan reach another fan's account by changing the id", async () => {
      const owner = await verifiedFan(h.server, "oFanOwnerA00000000000000001", newPhone());
      const other = await verifiedFan(h.server, "oFanOtherB00000000000000001", newPhone());
      const bound = await bindDemo(h.server, owner, zhang.customerNumber, zhang.ownerName);
      const otherBound = await bindDemo(h.server, other, li.customerNumber, li.ownerName);
      const id = bound.body.account.id;
      const month = (await api(h.server, "GET", `/api/fan/accounts/${id}/bills?months=1`, { cookie: owner })).body.bills[0].month;

      for (const candidate of [id, "not-an-id", "0190a0a0-0000-7000-8000-000000000000", zhang.customerNumber]) {
        expect((await api(h.server, "GET", `/api/fan/accounts/${candidate}/bills`, { cookie: other })).status).toBe(404);
        expect((await api(h.server, "GET", `/api/fan/accounts/${candidate}/bills/${month}`, { cookie: other })).status).toBe(404);
        expect((await api(h.server, "DELETE", `/api/fan/accounts/${candidate}`, { cookie: other })).status).toBe(404);
        expect((await api(h.server, "PUT", "/api/fan/subscriptions", { cookie: other, body: { accountIds: [candidate] } })).status).toBe(404);
      }
      // Nothing leaked or changed: the other fan lists only their own account, the owner's binding is intact and unsubscribed.
      const list = await api(h.server, "GET", "/api/fan/accounts", { cookie: other });
      expect(list.body.accounts.map((a: { id: string }) => a.id)).toEqual([otherBound.body.account.id]);
      const [row] = await query("SELECT fan_openid, subscribed FROM water_binding WHERE id = ?", [id]);
      expect(row).toMatchObject({ fan_openid: "oFanOwnerA00000000000000001", subscribed: 0 });
      // The owner still reads it.
      expect((await api(h.server, "GET", `/api/fan/accounts/${id}/bills/${month}`, { cookie: owner })).status).toBe(200);
    });
  });

  describe("audit", () => {
    it("logs every account and bill query and binding change; admins search it by actor, account, action and time", async () => {
      const openid = "oFanAudit000000000000000001";
      const since = new Date(h.clock.now().getTime() - 1000).toISOString();
      const cookie = await verifiedFan(h.server, openid, newPhone());
      const bound = await bindDemo(h.server, cookie, wang.customerNumber, wang.ownerName);
      const id = bound.body.account.id;
      await api(h.server, "GET", "/api/fan/accounts", { cookie });
      const bills = await api(h.server, "GET", `/api/fan/accounts/${id}/bills`, { cookie });
      await api(h.server, "GET", `/api/fan/accounts/${id}/bills/${bills.body.bills[0].month}`, { cookie });
      await api(h.server, "DELETE", `/api/fan/accounts/${id}`, { cookie });

      const rows = await query("SELECT action, customer_number, actor_type FROM audit_log WHERE actor_id = ? ORDER BY id", [openid]);
      expect(rows.map((r: { action: string }) => r.action)).toEqual(["account.bind", "account.list", "bill.list", "bill.view", "account.unbind"]);
      expect(rows.every((r: { customer_number: string; actor_type: string }) => r.customer_number === wang.customerNumber && r.actor_type === "fan")).toBe(true);

      const admin = await makeAgent(h.server, { role: "admin" });
      const agent = await makeAgent(h.server, { role: "supervisor" });
      expect((await api(h.server, "GET", "/api/console/audit", { cookie: agent.cookie })).status).toBe(403);
      expect((await api(h.server, "GET", "/api/console/audit")).status).toBe(401);

      const byActor = await api(h.server, "GET", `/api/console/audit?actor=${openid}&action=bill.list&from=${encodeURIComponent(since)}`, { cookie: admin.cookie });
      expect(byActor.status).toBe(200);
      expect(byActor.body.entries).toHaveLength(1);
      expect(byActor.body.entries[0]).toMatchObject({ actorType: "fan", actorId: openid, action: "bill.list", customerNumber: wang.customerNumber, detail: { months: 36, returned: 36 } });

      const byAccount = await api(h.server, "GET", `/api/console/audit?account=${wang.customerNumber}&limit=2`, { cookie: admin.cookie });
      expect(byAccount.body.entries).toHaveLength(2);
      expect(byAccount.body.entries.map((e: { action: string }) => e.action)).toEqual(["account.unbind", "bill.view"]); // newest first
      const page2 = await api(h.server, "GET", `/api/console/audit?account=${wang.customerNumber}&limit=2&before=${byAccount.body.nextBefore}`, { cookie: admin.cookie });
      expect(page2.body.entries.map((e: { action: string }) => e.action)).toEqual(["bill.list", "account.list"]);

      const past = await api(h.server, "GET", `/api/console/audit?actor=${openid}&to=${encodeURIComponent(since)}`, { cookie: admin.cookie });
      expect(past.body.entries).toEqual([]);
      const bad = await api(h.server, "GET", "/api/console/audit?from=yesterday", { cookie: admin.cookie });
      expect(bad.status).toBe(400);
    });
  });
});
