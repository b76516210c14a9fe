import { DEMO_GUIDES, DEMO_OUTLETS } from "../src/modules/guides/demoGuides";
import { DEMO_PRICE_TIERS } from "../src/modules/water/tariff";
import { jsSdkSignature } from "../src/wechat/api/client";
import { api, makeAgent } from "./conversationsHelpers";
import { signInFan, startWaterHarness, type WaterHarness } from "./waterHelpers";

/**
 * Guides, fee standards and outlets on MariaDB + Redis (sandbox mode, demo data): the fans' public reads,
 * outlets by distance, admin CRUD with validation and audit, roles, and the JS-SDK configuration.
 */
describe("guides, fee standards and outlets (MariaDB + Redis)", () => {
  let h: WaterHarness;
  let admin: Awaited<ReturnType<typeof makeAgent>>;
  let agent: Awaited<ReturnType<typeof makeAgent>>;
  const server = () => h.server;
  const query = (sql: string, params: unknown[] = []) => h.server.dataSource.query(sql, params);

  beforeAll(async () => {
    h = await startWaterHarness("guides");
    admin = await makeAgent(h.server, { role: "admin", status: "offline" });
    agent = await makeAgent(h.server, { role: "agent", status: "offline" });
  });
  afterAll(async () => {
    await h?.close();
  });

  describe("fans' reads (public)", () => {
    it("lists the published guides with their categories, and a guide's steps", async () => {
      const list = await api(server(), "GET", "/api/fan/guides");
      expect(list.status).toBe(200);
      expect(list.body.guides.map((g: { title: string }) => g.title)).toEqual(DEMO_GUIDES.map((g) => g.title));
      expect(list.body.categories).toEqual(["开户过户", "水表", "缴费"]);
      const filtered = await api(server(), "GET", `/api/fan/guides?category=${encodeURIComponent("开户过户")}`);
      expect(filtered.body.guides).toHaveLength(2);
      const detail = await api(server(), "GET", `/api/fan/guides/${list.body.guides[2].id}`);
      expect(detail.body.guide).toMatchObject({ title: "水表校验", steps: DEMO_GUIDES[2].steps });
      expect((await api(server(), "GET", "/api/fan/guides/not-an-id")).status).toBe(404);
    });

    it("shows the fee standards; the residential tiers are the built-in billing tariff's", async () => {
      const fees = await api(server(), "GET", "/api/fan/fees");
      expect(fees.body.standards.map((s: { name: string }) => s.name)).toEqual(["居民生活用水", "非居民用水", "特种行业用水"]);
      const residential = fees.body.standards[0];
      expect(residential.tiers).toEqual(
        DEMO_PRICE_TIERS.map((t) => ({ tier: t.tier, lowerM3: t.lowerM3, upperM3: t.upperM3, unitPriceFen: t.unitPriceFen, label: t.label })),
      );
      expect(fees.body.standards[1].tiers).toEqual([{ tier: 1, lowerM3: 0, upperM3: null, unitPriceFen: 520, label: "统一价格" }]);
    });

    it("sorts outlets by distance from the fan, and by name without a position", async () => {
      // Next to 城西营业厅.
      const near = await api(server(), "GET", "/api/fan/outlets?lat=30.2745&lng=120.1205");
      expect(near.body.located).toBe(true);
      const names = near.body.outlets.map((o: { name: string }) => o.name);
      expect(names[0]).toBe("城西营业厅");
      const distances = near.body.outlets.map((o: { distanceMeters: number }) => o.distanceMeters);
      expect(distances).toEqual([...distances].sort((a, b) => a - b));
      expect(distances[0]).toBeLessThan(100);
      // Next to 高新营业厅 the order changes.
      expect((await api(server(), "GET", "/api/fan/outlets?lat=30.19&lng=120.2")).body.outlets[0].name).toBe("高新营业厅");

      const unlocated = await api(server(), "GET", "/api/fan/outlets");
      expect(unlocated.body.located).toBe(false);
      expect(unlocated.body.outlets.map((o: { name: string }) => o.name)).toEqual(DEMO_OUTLETS.map((o) => o.name).sort(new Intl.Collator("zh-CN").compare));
      expect(unlocated.body.outlets.every((o: { distanceMeters: null }) => o.distanceMeters === null)).toBe(true);
      expect(unlocated.body.outlets[0]).toMatchObject({ address: expect.any(String), hours: expect.any(String), phone: expect.any(String), latitude: expect.any(Number) });

      for (const [search, message] of [
        ["lat=30.2", "经纬度需要同时提供"],
        ["lat=abc&lng=120", "纬度必须是数字"],
        ["lat=91&lng=120", "纬度应在 -90 到 90 之间"],
      ]) {
        const refused = await api(server(), "GET", `/api/fan/outlets?${search}`);
        expect([search, refused.status, refused.body.error.message]).toEqual([search, 400, message]);
      }
    });
  });

  describe("admin CRUD", () => {
    const guide = { title: "报装接水", category: "报装", summary: "新建住宅接入市政供水。", steps: ["提交申请", "现场勘查", "施工通水"], body: "费用按工程量核算。", published: false };

    it("creates, updates, publishes and deletes a guide; an unpublished guide is hidden from fans; each change is audited", async () => {
      const created = await api(server(), "POST", "/api/console/guides", { cookie: admin.cookie, body: guide });
      expect(created.status).toBe(201);
      const id = created.body.guide.id;
      expect(created.body.guide).toMatchObject({ ...guide, position: 0 });
      expect((await api(server(), "GET", `/api/fan/guides/${id}`)).status).toBe(404);
      expect((await api(server(), "GET", "/api/fan/guides")).body.guides.some((g: { id: string }) => g.id === id)).toBe(false);

      const updated = await api(server(), "PUT", `/api/console/guides/${id}`, { cookie: admin.cookie, body: { ...guide, published: true, steps: ["提交申请", "施工通水"] } });
      expect(updated.status).toBe(200);
      expect((await api(server(), "GET", `/api/fan/guides/${id}`)).body.guide.steps).toEqual(["提交申请", "施工通水"]);

      expect((await api(server(), "DELETE", `/api/console/guides/${id}`, { cookie: admin.cookie })).status).toBe(204);
      expect((await api(server(), "DELETE", `/api/console/guides/${id}`, { cookie: admin.cookie })).status).toBe(404);
      expect((await api(server(), "PUT", `/api/console/guides/${id}`, { cookie: admin.cookie, body: guide })).status).toBe(404);
      const audits = await query("SELECT actor_id, detail FROM audit_log WHERE action = 'guides.change' ORDER BY id");
      expect(audits.map((a: { detail: string }) => JSON.parse(a.detail).op)).toEqual(["create", "update", "delete"]);
      expect(audits.every((a: { actor_id: string }) => a.actor_id === admin.id)).toBe(true);
    });

    it.each([
      ["guide without a title", "/api/console/guides", { ...guide, title: " " }, "请填写标题"],
      ["guide without steps", "/api/console/guides", { ...guide, steps: [] }, "请至少填写 1 个办理步骤"],
      ["fee tiers not starting at 0", "/api/console/fee-standards", { name: "x", tiers: [{ lowerM3: 5, upperM3: null, unitPriceFen: 100 }] }, "第 1 阶梯必须从 0 立方米开始"],
      [
        "fee tiers with a gap",
        "/api/console/fee-standards",
        { name: "x", tiers: [{ lowerM3: 0, upperM3: 10, unitPriceFen: 100 }, { lowerM3: 12, upperM3: null, unitPriceFen: 200 }] },
        "第 2 阶梯的起始水量必须等于第 1 阶梯的截止水量（10）",
      ],
      ["fee tiers bounded at the end", "/api/console/fee-standards", { name: "x", tiers: [{ lowerM3: 0, upperM3: 10, unitPriceFen: 100 }] }, "最后一个阶梯必须不设上限，否则超出的水量无价可算"],
      ["a price in yuan with decimals", "/api/console/fee-standards", { name: "x", tiers: [{ lowerM3: 0, upperM3: null, unitPriceFen: 3.45 }] }, "单价以分为单位，必须是整数"],
      ["an outlet without coordinates", "/api/console/outlets", { ...DEMO_OUTLETS[0], latitude: undefined }, "纬度必须是数字"],
      ["an outlet at latitude 95", "/api/console/outlets", { ...DEMO_OUTLETS[0], latitude: 95 }, "纬度应在 -90 到 90 之间"],
      ["an outlet with a bad phone", "/api/console/outlets", { ...DEMO_OUTLETS[0], phone: "call us" }, "联系电话只能包含数字、空格和 + - ( )，5–30 位"],
    ])("refuses %s with a precise message and stores nothing", async (_case, path, body, message) => {
      const table = path.endsWith("guides") ? "guide" : path.endsWith("outlets") ? "service_outlet" : "fee_standard";
      const before = await query(`SELECT COUNT(*) AS n FROM ${table}`);
      const refused = await api(server(), "POST", path, { cookie: admin.cookie, body });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ code: "invalid_input", message });
      expect(await query(`SELECT COUNT(*) AS n FROM ${table}`)).toEqual(before);
    });

    it("edits fee standards; the admin view says whether the billing tariff standard still matches the billing tables", async () => {
      const view = await api(server(), "GET", "/api/console/fee-standards", { cookie: admin.cookie });
      const residential = view.body.standards.find((s: { billingTariff: boolean }) => s.billingTariff);
      expect(residential.matchesBilling).toBe(true);
      expect(view.body.billingTiers).toHaveLength(3);
      const tiers = residential.tiers.map(({ lowerM3, upperM3, unitPriceFen }: { lowerM3: number; upperM3: number | null; unitPriceFen: number }) => ({ lowerM3, upperM3, unitPriceFen }));
      tiers[0].unitPriceFen = 350;
      const changed = await api(server(), "PUT", `/api/console/fee-standards/${residential.id}`, {
        cookie: admin.cookie,
        body: { name: residential.name, description: residential.description, period: "month", tiers, notes: residential.notes, billingTariff: true },
      });
      expect(changed.status).toBe(200);
      expect((await api(server(), "GET", "/api/fan/fees")).body.standards[0].tiers[0].unitPriceFen).toBe(350);
      const after = await api(server(), "GET", "/api/console/fee-standards", { cookie: admin.cookie });
      expect(after.body.standards.find((s: { id: string }) => s.id === residential.id).matchesBilling).toBe(false);

      const flat = await api(server(), "POST", "/api/console/fee-standards", { cookie: admin.cookie, body: { name: "消防用水", tiers: [{ lowerM3: 0, upperM3: null, unitPriceFen: 400 }] } });
      expect(flat.status).toBe(201);
      expect(flat.body.standard).toMatchObject({ period: "month", billingTariff: false, tiers: [{ label: "统一价格" }] });
      expect((await api(server(), "DELETE", `/api/console/fee-standards/${flat.body.standard.id}`, { cookie: admin.cookie })).status).toBe(204);
    });

    it("creates and moves an outlet; fans see it by distance", async () => {
      const created = await api(server(), "POST", "/api/console/outlets", {
        cookie: admin.cookie,
        body: { name: "滨江服务点", address: "江南大道 100 号", hours: "周一至周五 9:00–17:00", phone: "0571-88888888", latitude: 30.21, longitude: 120.21 },
      });
      expect(created.status).toBe(201);
      const id = created.body.outlet.id;
      expect((await api(server(), "GET", "/api/fan/outlets?lat=30.21&lng=120.21")).body.outlets[0].id).toBe(id);
      await api(server(), "PUT", `/api/console/outlets/${id}`, { cookie: admin.cookie, body: { ...created.body.outlet, latitude: 31.5, longitude: 121.5 } });
      expect((await api(server(), "GET", "/api/fan/outlets?lat=30.21&lng=120.21")).body.outlets.at(-1).id).toBe(id);
      expect((await api(server(), "DELETE", `/api/console/outlets/${id}`, { cookie: admin.cookie })).status).toBe(204);
    });
  });

  describe("who may call what", () => {
    it("lets any agent read, only admins write; 401 without a session", async () => {
      const someId = "0190a0a0-0000-7000-8000-000000000000";
      for (const path of ["/api/console/guides", "/api/console/fee-standards", "/api/console/outlets"]) {
        expect([path, (await api(server(), "GET", path)).status]).toEqual([path, 401]);
        expect([path, (await api(server(), "GET", path, { cookie: agent.cookie })).status]).toEqual([path, 200]);
      }
      const writes: [string, string][] = [];
      for (const base of ["/api/console/guides", "/api/console/fee-standards", "/api/console/outlets"]) {
        writes.push(["POST", base], ["PUT", `${base}/${someId}`], ["DELETE", `${base}/${someId}`]);
      }
      for (const [method, path] of writes) {
        const body = method === "DELETE" ? undefined : {};
        expect([method, path, (await api(server(), method, path, { body })).status]).toEqual([method, path, 401]);
        expect([method, path, (await api(server(), method, path, { body, cookie: agent.cookie })).status]).toEqual([method, path, 403]);
      }
      // A fan session is not a console session.
      const { cookie } = await signInFan(server(), "oGuidesFan00000000000000001");
      expect((await api(server(), "POST", "/api/console/outlets", { cookie, body: {} })).status).toBe(401);
    });

    it("signs the JS-SDK configuration for our own pages only, for a signed-in fan", async () => {
      const page = `${server().config.publicUrl}/h5/#/outlets`;
      expect((await api(server(), "GET", `/api/fan/jssdk-config?url=${encodeURIComponent(page)}`)).status).toBe(401);
      const { cookie } = await signInFan(server(), "oGuidesFan00000000000000002");
      const config = await api(server(), "GET", `/api/fan/jssdk-config?url=${encodeURIComponent(page)}`, { cookie });
      expect(config.status).toBe(200);
      expect(config.body.appId).toBe(server().config.wechat.appId);
      const ticket = server().context.sandbox!.fake.jsapiTicket!;
      expect(config.body.signature).toBe(jsSdkSignature(ticket, config.body.nonceStr, config.body.timestamp, `${server().config.publicUrl}/h5/`));
      for (const url of ["https://evil.example/h5/", "not a url", `${server().config.publicUrl.replace(/:\d+$/, ":1")}/h5/`]) {
        const refused = await api(server(), "GET", `/api/fan/jssdk-config?url=${encodeURIComponent(url)}`, { cookie });
        expect([url, refused.status, refused.body.error.code]).toEqual([url, 400, "invalid_url"]);
      }
      expect((await api(server(), "GET", "/api/fan/jssdk-config", { cookie })).status).toBe(400);
    });
  });
});
