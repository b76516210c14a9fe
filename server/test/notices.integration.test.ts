import { newId } from "../src/infra/ids";
import { WaterBinding } from "../src/modules/water/binding.entity";
import { DEMO_WATER_ACCOUNTS } from "../src/modules/water/demoWater";
import { SANDBOX_OUTAGE_TEMPLATE_ID } from "../src/modules/notices/outageNotification";
import { api, eventually, makeAgent } from "./conversationsHelpers";
import { bindDemo, newPhone, startWaterHarness, verifiedFan, type WaterHarness } from "./waterHelpers";

/** Notices: admin editing and publish windows, the public fan API, outage search, emergency notifications. */
describe("notices (MariaDB + Redis, two instances)", () => {
  let h: WaterHarness;
  let admin: { cookie: string; id: string };
  let supervisor: { cookie: string };
  let agent: { cookie: string };
  const [zhang, li, , chen] = DEMO_WATER_ACCOUNTS; // 城东, 城西, 城东

  const HOUR = 3600_000;
  const later = (ms: number) => new Date(h.clock.now().getTime() + ms).toISOString();
  const query = (sql: string, params: unknown[] = []) => h.server.dataSource.query(sql, params);
  const count = async (sql: string, params: unknown[] = []) => Number((await query(sql, params))[0].n);

  beforeAll(async () => {
    h = await startWaterHarness("notices", { instances: 2 });
    admin = await makeAgent(h.server, { role: "admin" });
    supervisor = await makeAgent(h.server, { role: "supervisor" });
    agent = await makeAgent(h.server, { role: "agent" });
  });
  afterAll(async () => {
    await h?.close();
  });

  const create = async (body: object) => {
    const response = await api(h.server, "POST", "/api/console/notices", { cookie: admin.cookie, body });
    if (response.status !== 201) throw new Error(`create answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body.notice.id as string;
  };
  const publish = (id: string, server = h.server) => api(server, "POST", `/api/console/notices/${id}/publish`, { cookie: admin.cookie });
  const fanDetail = (id: string) => api(h.server, "GET", `/api/fan/notices/${id}`);
  const fanListIds = async (path = "/api/fan/notices?pageSize=50") => (await api(h.server, "GET", path)).body.notices.map((n: { id: string }) => n.id) as string[];
  const outage = (overrides: object = {}) => ({
    kind: "outage",
    outageType: "planned",
    title: "测试计划停水",
    content: "管网施工",
    areas: ["城东片区"],
    startsAt: later(24 * HOUR),
    endsAt: later(30 * HOUR),
    ...overrides,
  });

  it("shows fans the seeded demo notices, newest first, without a session", async () => {
    const response = await api(h.server, "GET", "/api/fan/notices");
    expect(response.status).toBe(200);
    const kinds = response.body.notices.map((n: { kind: string }) => n.kind);
    expect(new Set(kinds)).toEqual(new Set(["outage", "quality", "pressure", "repair", "news"]));
    const times = response.body.notices.map((n: { publishedAt: string }) => n.publishedAt);
    expect([...times].sort().reverse()).toEqual(times);
    const repair = response.body.notices.find((n: { kind: string }) => n.kind === "repair");
    const detail = await fanDetail(repair.id);
    expect(detail.body.notice.entries).toHaveLength(3);
    // Newest update first.
    const happened = detail.body.notice.entries.map((e: { happenedAt: string }) => e.happenedAt);
    expect([...happened].sort().reverse()).toEqual(happened);
    const byKind = await api(h.server, "GET", "/api/fan/notices?kind=quality");
    expect(byKind.body.notices.every((n: { kind: string }) => n.kind === "quality")).toBe(true);
    expect(byKind.body.total).toBe(1);
  });

  it("refuses anonymous callers (401) and agents (403) on every admin route; supervisors may only read", async () => {
    const id = await create({ kind: "news", title: "权限测试", content: "内容" });
    const routes: [string, string, object?][] = [
      ["GET", "/api/console/notices"],
      ["GET", `/api/console/notices/${id}`],
      ["GET", "/api/console/notices/areas"],
      ["POST", "/api/console/notices", { kind: "news", title: "x", content: "y" }],
      ["PUT", `/api/console/notices/${id}`, { kind: "news", title: "x", content: "y" }],
      ["POST", `/api/console/notices/${id}/publish`],
      ["POST", `/api/console/notices/${id}/unpublish`],
      ["POST", `/api/console/notices/${id}/entries`, { kind: "text", text: "x" }],
      ["GET", "/api/console/notices/settings"],
    ];
    for (const [method, path, body] of routes) {
      expect([method, path, (await api(h.server, method, path, { body })).status]).toEqual([method, path, 401]);
      expect([method, path, (await api(h.server, method, path, { cookie: agent.cookie, body })).status]).toEqual([method, path, 403]);
      const asSupervisor = (await api(h.server, method, path, { cookie: supervisor.cookie, body })).status;
      expect([method, path, asSupervisor]).toEqual([method, path, method === "GET" && !path.endsWith("/settings") ? 200 : 403]);
    }
    expect((await api(h.server, "GET", `/api/console/notices/${id}`, { cookie: admin.cookie })).body.notice.status).toBe("draft");
    expect((await api(h.server, "GET", "/api/console/notices/00000000-0000-7000-8000-000000000000", { cookie: admin.cookie })).status).toBe(404);
  });

  it("refuses invalid input with the reason and writes nothing", async () => {
    const before = await count("SELECT COUNT(*) AS n FROM notice");
    const cases: [object, string, string][] = [
      [outage({ areas: [] }), "areas", "请至少填写一个停水区域"],
      [outage({ endsAt: later(1 * HOUR) }), "endsAt", "恢复供水时间必须晚于停水开始时间"],
      [outage({ outageType: "sudden" }), "outageType", "停水类型必须是 planned（计划停水）或 emergency（紧急停水）"],
      [outage({ startsAt: "明天早上" }), "startsAt", "开始时间不是有效的时间（需带时区的 ISO 8601，如 2026-11-24T08:00:00+08:00）"],
      [{ kind: "news", title: "", content: "y" }, "title", "请填写标题"],
      [{ kind: "news", title: "x".repeat(61), content: "y" }, "title", "标题最多 60 个字"],
      [{ kind: "news", title: "x", content: "y", publishFrom: later(2 * HOUR), publishUntil: later(HOUR) }, "publishUntil", "失效时间必须晚于生效时间"],
    ];
    for (const [body, path, message] of cases) {
      const response = await api(h.server, "POST", "/api/console/notices", { cookie: admin.cookie, body });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ code: "invalid_input", message });
      expect(response.body.error.details).toContainEqual({ path, message });
    }
    expect(await count("SELECT COUNT(*) AS n FROM notice")).toBe(before);

    const news = await create({ kind: "news", title: "类型不可改", content: "y" });
    const changed = await api(h.server, "PUT", `/api/console/notices/${news}`, { cookie: admin.cookie, body: outage() });
    expect(changed.status).toBe(400);
    expect(changed.body.error.message).toBe("公告类型创建后不能修改，请新建公告");
    const entry = await api(h.server, "POST", `/api/console/notices/${news}/entries`, { cookie: admin.cookie, body: { kind: "text", text: "进展" } });
    expect(entry.status).toBe(409);
    expect(entry.body.error.message).toBe("只有抢修动态可以添加进展");
    const badEntry = await api(h.server, "POST", `/api/console/notices/${news}/entries`, { cookie: admin.cookie, body: { kind: "image" } });
    expect(badEntry.body.error).toMatchObject({ code: "invalid_input", message: "请提供图片地址" });
  });

  it("shows a notice only while published and inside its window, and audits each change", async () => {
    const id = await create({ kind: "quality", title: "窗口测试水质公告", content: "合格", publishFrom: later(HOUR), publishUntil: later(3 * HOUR) });
    expect((await fanDetail(id)).status).toBe(404);

    const published = await publish(id);
    expect(published.status).toBe(200);
    expect(published.body.notice).toMatchObject({ status: "published", state: "scheduled" });
    expect((await fanDetail(id)).status).toBe(404); // not yet
    expect(await fanListIds()).not.toContain(id);

    h.clock.advance(HOUR);
    expect((await fanDetail(id)).status).toBe(200);
    expect(await fanListIds()).toContain(id);
    expect(await fanListIds("/api/fan/notices?kind=quality")).toContain(id);

    h.clock.advance(2 * HOUR); // publishUntil reached
    expect((await fanDetail(id)).status).toBe(404);
    expect((await api(h.server, "GET", `/api/console/notices/${id}`, { cookie: admin.cookie })).body.notice.state).toBe("expired");
    const expired = await publish(id); // already published: no change
    expect(expired.body.notification).toMatchObject({ alreadyPublished: true });

    // Extend the window, then take it down and put it back.
    const extended = await api(h.server, "PUT", `/api/console/notices/${id}`, {
      cookie: admin.cookie,
      body: { kind: "quality", title: "窗口测试水质公告（延期）", content: "合格", publishFrom: later(-3 * HOUR), publishUntil: null },
    });
    expect(extended.status).toBe(200);
    expect((await fanDetail(id)).body.notice.title).toBe("窗口测试水质公告（延期）");
    expect((await api(h.server, "POST", `/api/console/notices/${id}/unpublish`, { cookie: admin.cookie })).body.notice.status).toBe("unpublished");
    expect((await fanDetail(id)).status).toBe(404);
    expect((await publish(id)).body.notice.state).toBe("live");
    expect((await fanDetail(id)).status).toBe(200);

    const actions = (await query("SELECT action FROM audit_log WHERE actor_id = ? AND detail LIKE ? ORDER BY id", [admin.id, `%${id}%`])).map((r: { action: string }) => r.action);
    expect(actions).toEqual(["notice.create", "notice.publish", "notice.update", "notice.unpublish", "notice.publish"]);

    // A publish window that is already over cannot be published.
    const over = await create({ kind: "news", title: "过期", content: "y", publishFrom: later(-2 * HOUR), publishUntil: later(-HOUR) });
    const refused = await publish(over);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe("失效时间已过，请先修改失效时间再发布");
  });

  it("searches visible outages by China-time date and area", async () => {
    // 5 days ahead (past the demo outages), 22:00–26:00 China time: overlaps two calendar days.
    const base = new Date(h.clock.now().getTime() + 5 * 24 * HOUR);
    const chinaDate = (offsetDays: number) => new Date(base.getTime() + 8 * HOUR + offsetDays * 24 * HOUR).toISOString().slice(0, 10);
    const day = chinaDate(0);
    const startsAt = new Date(`${day}T22:00:00+08:00`).toISOString();
    const endsAt = new Date(new Date(startsAt).getTime() + 4 * HOUR).toISOString();
    const lakeside = await create(outage({ title: "湖滨片区夜间停水", areas: ["湖滨片区", "高新片区"], startsAt, endsAt }));
    const draft = await create(outage({ title: "未发布的停水", areas: ["湖滨片区"], startsAt, endsAt }));
    await publish(lakeside);

    const search = async (params: string) => {
      const response = await api(h.server, "GET", `/api/fan/notices/outages?${params}`);
      expect(response.status).toBe(200);
      return response.body.notices.map((n: { id: string }) => n.id) as string[];
    };
    expect(await search(`date=${day}&area=${encodeURIComponent("湖滨片区")}`)).toEqual([lakeside]);
    expect(await search(`date=${chinaDate(1)}&area=${encodeURIComponent("高新片区")}`)).toEqual([lakeside]); // the night runs past midnight
    expect(await search(`date=${chinaDate(2)}&area=${encodeURIComponent("湖滨片区")}`)).toEqual([]);
    expect(await search(`date=${day}&area=${encodeURIComponent("城北片区")}`)).toEqual([]);
    const byArea = await search(`area=${encodeURIComponent("湖滨片区")}`);
    expect(byArea).toContain(lakeside);
    expect(byArea).not.toContain(draft);
    const found = await api(h.server, "GET", `/api/fan/notices/outages?date=${day}`);
    expect(found.body.notices.find((n: { id: string }) => n.id === lakeside)).toMatchObject({ areas: ["湖滨片区", "高新片区"], outageType: "planned", outageState: "upcoming" });

    const bad = await api(h.server, "GET", "/api/fan/notices/outages?date=2026-13-01");
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe("日期格式应为 YYYY-MM-DD（如 2026-11-24）");
    expect((await api(h.server, "GET", "/api/fan/notices?pageSize=500")).status).toBe(400);
    expect((await api(h.server, "GET", "/api/fan/notices/not-an-id")).status).toBe(404);
    expect((await api(h.server, "GET", "/api/fan/notices/areas")).body.areas).toEqual(expect.arrayContaining(["城东片区", "城西片区", "高新片区", "湖滨片区"]));
  });

  it("notifies each subscribed fan in the affected areas exactly once, even with concurrent publishes on two instances", async () => {
    const follow = (openid: string) => {
      for (const server of h.servers) server.context.sandbox!.fake.upsertFan({ openId: openid, nickname: openid, subscribed: true });
    };
    const both = "oFanNoticeBoth0000000000001"; // two subscribed accounts in 城东: one message
    const west = "oFanNoticeWest0000000000001"; // subscribed, but 城西
    const quiet = "oFanNoticeQuiet000000000001"; // 城东, not subscribed
    for (const openid of [both, west, quiet]) follow(openid);
    const a = await verifiedFan(h.server, both, newPhone());
    const b = await verifiedFan(h.server, west, newPhone());
    const c = await verifiedFan(h.server, quiet, newPhone());
    const aZhang = (await bindDemo(h.server, a, zhang.customerNumber, zhang.ownerName)).body.account.id;
    const aChen = (await bindDemo(h.server, a, chen.customerNumber, chen.ownerName)).body.account.id;
    const bLi = (await bindDemo(h.server, b, li.customerNumber, li.ownerName)).body.account.id;
    await bindDemo(h.server, c, zhang.customerNumber, zhang.ownerName);
    expect((await api(h.server, "PUT", "/api/fan/subscriptions", { cookie: a, body: { accountIds: [aZhang, aChen] } })).status).toBe(200);
    expect((await api(h.server, "PUT", "/api/fan/subscriptions", { cookie: b, body: { accountIds: [bLi] } })).status).toBe(200);

    const id = await create(outage({ outageType: "emergency", title: "滨江路爆管紧急停水", areas: ["城东片区"], startsAt: later(-HOUR), endsAt: later(5 * HOUR) }));
    const responses = await Promise.all([publish(id, h.servers[0]), publish(id, h.servers[1]), publish(id, h.servers[0]), publish(id, h.servers[1])]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(responses.reduce((sum, r) => sum + (r.body.notification.notifiedFans ?? 0), 0)).toBe(1);

    const outbox = await query("SELECT fan_openid, kind FROM outbox_message WHERE ref = ?", [`notice:${id}`]);
    expect(outbox).toEqual([{ fan_openid: both, kind: "template" }]);
    expect(await count("SELECT COUNT(*) AS n FROM notice_notification WHERE notice_id = ?", [id])).toBe(1);

    const templates = () => h.servers.flatMap((server) => server.context.sandbox!.fake.templateMessages).filter((t) => (t.body as { url?: string }).url?.includes(id));
    await eventually(() => templates().length === 1 || undefined);
    const [sent] = templates();
    expect(sent.toUser).toBe(both);
    const body = sent.body as { template_id: string; url: string; data: Record<string, { value: string }> };
    expect(body.template_id).toBe(SANDBOX_OUTAGE_TEMPLATE_ID);
    expect(h.servers.map((server) => `${server.config.publicUrl}/h5/#/notices/${id}`)).toContain(body.url);
    expect(body.data.thing1.value).toBe("城东片区");
    expect(body.data.thing4.value).toBe("滨江路爆管紧急停水");
    expect(body.data.time2.value).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/);

    // Unpublish and publish again: nobody hears about it twice.
    await api(h.server, "POST", `/api/console/notices/${id}/unpublish`, { cookie: admin.cookie });
    const again = await publish(id, h.servers[1]);
    expect(again.body.notification.notifiedFans).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM outbox_message WHERE ref = ?", [`notice:${id}`])).toBe(1);

    // Adding an area to the live emergency notice reaches the fans there who were not told yet.
    const edited = await api(h.server, "PUT", `/api/console/notices/${id}`, {
      cookie: admin.cookie,
      body: outage({ outageType: "emergency", title: "滨江路爆管紧急停水", areas: ["城东片区", "城西片区"], startsAt: later(-HOUR), endsAt: later(5 * HOUR) }),
    });
    expect(edited.body.notification).toEqual({ notifiedFans: 1 });
    expect((await query("SELECT fan_openid FROM notice_notification WHERE notice_id = ? ORDER BY fan_openid", [id])).map((r: { fan_openid: string }) => r.fan_openid)).toEqual(
      [both, west].sort(),
    );
    expect(await count("SELECT COUNT(*) AS n FROM outbox_message WHERE ref = ? AND fan_openid = ?", [`notice:${id}`, quiet])).toBe(0);

    // A fan who subscribes later is not messaged by an edit that adds no area (a typo fix, say).
    const late = "oFanNoticeLate0000000000001";
    follow(late);
    const d = await verifiedFan(h.server, late, newPhone());
    const dZhang = (await bindDemo(h.server, d, zhang.customerNumber, zhang.ownerName)).body.account.id;
    await api(h.server, "PUT", "/api/fan/subscriptions", { cookie: d, body: { accountIds: [dZhang] } });
    const typoFix = await api(h.server, "PUT", `/api/console/notices/${id}`, {
      cookie: admin.cookie,
      body: outage({ outageType: "emergency", title: "滨江路爆管紧急停水（更正）", areas: ["城东片区", "城西片区"], startsAt: later(-HOUR), endsAt: later(5 * HOUR) }),
    });
    expect(typoFix.status).toBe(200);
    expect(typoFix.body.notification).toBeNull();
    expect(await count("SELECT COUNT(*) AS n FROM outbox_message WHERE ref = ?", [`notice:${id}`])).toBe(2);

    // A planned outage in the same area notifies nobody.
    const planned = await create(outage({ areas: ["城东片区"] }));
    expect((await publish(planned)).body.notification).toEqual({ notifiedFans: 0 });
    expect(await count("SELECT COUNT(*) AS n FROM outbox_message WHERE ref = ?", [`notice:${planned}`])).toBe(0);

    // An emergency outage cannot be scheduled for later (fans are told at publish).
    const scheduled = await create(outage({ outageType: "emergency", publishFrom: later(HOUR) }));
    const refused = await publish(scheduled);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("emergency_must_start_now");
  });

  it("notifies a whole district at once: 1,200 subscribed fans, one message each", async () => {
    const area = "测试大片区";
    const now = h.clock.now();
    const fans = Array.from({ length: 1200 }, (_, i) => `oFanDistrict${String(i).padStart(15, "0")}`);
    await h.server.dataSource.getRepository(WaterBinding).insert(
      fans.map((openid, i) => ({ id: newId(), fanOpenid: openid, customerNumber: `9${String(i).padStart(8, "0")}`, ownerNameMasked: "王*", address: `幸福路 ${i} 号`, area, subscribed: true, createdAt: now, updatedAt: now })),
    );
    const id = await create(outage({ outageType: "emergency", title: "幸福路主管抢修", areas: [area], startsAt: later(-HOUR), endsAt: later(3 * HOUR) }));
    const published = await publish(id);
    expect(published.body.notification).toEqual({ notifiedFans: 1200 });
    expect(await count("SELECT COUNT(DISTINCT fan_openid) AS n FROM outbox_message WHERE ref = ?", [`notice:${id}`])).toBe(1200);
    expect(await count("SELECT COUNT(*) AS n FROM outbox_message WHERE ref = ?", [`notice:${id}`])).toBe(1200);
    expect(await count("SELECT COUNT(*) AS n FROM notice_notification n JOIN outbox_message o ON o.id = n.outbox_id WHERE n.notice_id = ? AND o.fan_openid = n.fan_openid", [id])).toBe(1200);
  });

  it("keeps a repair's live timeline, newest update first for fans", async () => {
    const id = await create({ kind: "repair", title: "学府街管道抢修", content: "正在抢修", areas: ["高新片区"], startsAt: later(-HOUR), endsAt: later(3 * HOUR) });
    await publish(id);
    const add = (body: object) => api(h.server, "POST", `/api/console/notices/${id}/entries`, { cookie: admin.cookie, body });
    expect((await add({ kind: "text", text: "抢修人员已到场", happenedAt: later(-50 * 60_000) })).status).toBe(201);
    expect((await add({ kind: "image", text: "开挖中", mediaUrl: "https://cdn.example.com/repair/1.jpg", happenedAt: later(-20 * 60_000) })).status).toBe(201);
    const last = await add({ kind: "video", mediaUrl: "https://cdn.example.com/repair/2.mp4" });
    expect(last.status).toBe(201);
    expect(last.body.entries).toHaveLength(3);

    const detail = (await fanDetail(id)).body.notice;
    expect(detail.entries.map((e: { kind: string }) => e.kind)).toEqual(["video", "image", "text"]);
    expect(detail.entries[1]).toMatchObject({ text: "开挖中", mediaUrl: "https://cdn.example.com/repair/1.jpg" });

    const removed = await api(h.server, "DELETE", `/api/console/notices/${id}/entries/${detail.entries[0].id}`, { cookie: admin.cookie });
    expect(removed.status).toBe(200);
    expect((await fanDetail(id)).body.notice.entries).toHaveLength(2);
    expect((await api(h.server, "DELETE", `/api/console/notices/${id}/entries/${detail.entries[0].id}`, { cookie: admin.cookie })).status).toBe(404);
  });

  it("stores uploaded timeline photos and serves them publicly; refuses what is not a photo", async () => {
    const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");
    const upload = (cookie: string | undefined, body: object) => api(h.server, "POST", "/api/console/notices/media", { cookie, body });
    expect((await upload(undefined, { dataBase64: png.toString("base64") })).status).toBe(401);
    expect((await upload(agent.cookie, { dataBase64: png.toString("base64") })).status).toBe(403);
    expect((await upload(supervisor.cookie, { dataBase64: png.toString("base64") })).status).toBe(403);
    const notImage = await upload(admin.cookie, { dataBase64: Buffer.from("<html>hi</html>").toString("base64") });
    expect(notImage.status).toBe(400);
    expect(notImage.body.error.message).toBe("只能上传 JPG、PNG、GIF 或 WebP 图片");
    const tooBig = await upload(admin.cookie, { dataBase64: Buffer.alloc(2 * 1024 * 1024 + 1, 0xff).toString("base64") });
    expect(tooBig.status).toBe(413);

    const uploaded = await upload(admin.cookie, { fileName: "现场.png", dataBase64: `data:image/png;base64,${png.toString("base64")}` });
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toMatchObject({ contentType: "image/png", size: png.length });
    expect(uploaded.body.url).toBe(`/api/fan/notices/media/${uploaded.body.mediaId}`);

    const served = await fetch(`${h.servers[1].url}${uploaded.body.url}`); // any instance, no session
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);
    expect((await fetch(`${h.server.url}/api/fan/notices/media/00000000-0000-7000-8000-000000000000`)).status).toBe(404);

    const id = await create({ kind: "repair", title: "带照片的抢修", content: "抢修中" });
    const entry = await api(h.server, "POST", `/api/console/notices/${id}/entries`, { cookie: admin.cookie, body: { kind: "image", text: "现场照片", mediaUrl: uploaded.body.url } });
    expect(entry.status).toBe(201);
    expect(entry.body.entries[0].mediaUrl).toBe(uploaded.body.url);
  });

  it("lets admins set the outage template; the sandbox falls back to its demo id", async () => {
    const current = await api(h.server, "GET", "/api/console/notices/settings", { cookie: admin.cookie });
    expect(current.body).toMatchObject({ outageTemplateId: "", effectiveTemplateId: SANDBOX_OUTAGE_TEMPLATE_ID, areaKey: "thing1" });
    const bad = await api(h.server, "PUT", "/api/console/notices/settings", { cookie: admin.cookie, body: { ...current.body, effectiveTemplateId: undefined, outageTemplateId: "模板" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe("模板 ID 只能包含字母、数字、下划线和连字符");
    const saved = await api(h.server, "PUT", "/api/console/notices/settings", {
      cookie: admin.cookie,
      body: { outageTemplateId: "tmpl-outage", areaKey: "thing1", startKey: "time2", endKey: "time3", reasonKey: "thing4" },
    });
    expect(saved.body).toMatchObject({ outageTemplateId: "tmpl-outage", effectiveTemplateId: "tmpl-outage" });
  });
});
