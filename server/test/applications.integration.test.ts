import { APPLICATION_FEES_SERVICE, type ApplicationFees } from "../src/modules/applications/applicationFees";
import { withTransaction } from "../src/modules/conversations/db";
import { OutboxMessage } from "../src/modules/outbox/outboxMessage.entity";
import { AMR, applicationInput, freshCode, PNG, upload, uploadId, VALID_ID } from "./applicationsHelpers";
import { api, eventually, makeAgent } from "./conversationsHelpers";
import { newPhone, startWaterHarness, verifiedFan, type WaterHarness } from "./waterHelpers";

/** Applications (业务申请) and fans' uploads: SMS-verified submission, the status timeline, roles, fan isolation, the fee contract. */
describe("applications (MariaDB + Redis)", () => {
  let h: WaterHarness;
  let fanCounter = 0;

  beforeAll(async () => {
    h = await startWaterHarness("applications");
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A signed-in fan with a verified phone (a new fan and phone each time). */
  async function newFan() {
    fanCounter++;
    const openid = `oFanApply${String(process.pid % 100000).padStart(5, "0")}${String(fanCounter).padStart(13, "0")}`;
    const phone = newPhone();
    const cookie = await verifiedFan(h.server, openid, phone);
    return { openid, phone, cookie };
  }

  async function submit(fan: { openid: string; phone: string; cookie: string }, overrides: Record<string, unknown> = {}) {
    const body = await applicationInput(h.server, fan.cookie, fan.openid, fan.phone, overrides);
    return api(h.server, "POST", "/api/fan/applications", { cookie: fan.cookie, body });
  }

  const outboxFor = (ref: string) => h.server.dataSource.getRepository(OutboxMessage).findBy({ ref });
  const fees = () => h.server.context.services.get(APPLICATION_FEES_SERVICE) as ApplicationFees;

  describe("who may call", () => {
    it("requires the fan session on fan routes and a console session on staff routes; only supervisors change status", async () => {
      const id = "0190a0a0-0000-7000-8000-000000000000";
      for (const [method, path] of [
        ["GET", "/api/fan/applications"],
        ["POST", "/api/fan/applications"],
        ["GET", `/api/fan/applications/${id}`],
        ["POST", "/api/fan/uploads"],
        ["GET", `/api/fan/uploads/${id}`],
      ]) {
        expect([method, path, (await api(h.server, method, path, method === "POST" ? { body: {} } : {})).status]).toEqual([method, path, 401]);
      }
      for (const [method, path] of [
        ["GET", "/api/console/applications"],
        ["GET", `/api/console/applications/${id}`],
        ["POST", `/api/console/applications/${id}/status`],
        ["GET", `/api/console/uploads/${id}`],
      ]) {
        expect([method, path, (await api(h.server, method, path, method === "POST" ? { body: {} } : {})).status]).toEqual([method, path, 401]);
      }
      const fan = await newFan();
      const created = await submit(fan);
      expect(created.status).toBe(201);
      const agent = await makeAgent(h.server, { role: "agent" });
      const refused = await api(h.server, "POST", `/api/console/applications/${created.body.application.id}/status`, { cookie: agent.cookie, body: { status: "accepted" } });
      expect(refused.status).toBe(403);
      // A fan session is not a console session.
      expect((await api(h.server, "GET", "/api/console/applications", { cookie: fan.cookie })).status).toBe(401);
    });
  });

  describe("submitting", () => {
    it("requires a correct, fresh SMS code for the phone, and writes nothing without one", async () => {
      const fan = await newFan();
      const body = await applicationInput(h.server, fan.cookie, fan.openid, fan.phone);
      const wrongCode = body.smsCode === "000000" ? "111111" : "000000";
      const wrong = await api(h.server, "POST", "/api/fan/applications", { cookie: fan.cookie, body: { ...body, smsCode: wrongCode } });
      expect(wrong.status).toBe(400);
      expect(wrong.body.error.code).toBe("sms_code_wrong");
      const missing = await api(h.server, "POST", "/api/fan/applications", { cookie: fan.cookie, body: { ...body, smsCode: undefined } });
      expect(missing.status).toBe(400);
      expect((await api(h.server, "GET", "/api/fan/applications", { cookie: fan.cookie })).body.applications).toEqual([]);

      const ok = await api(h.server, "POST", "/api/fan/applications", { cookie: fan.cookie, body });
      expect(ok.status).toBe(201);
      // The code is single-use: the same code cannot submit a second application.
      const again = await api(h.server, "POST", "/api/fan/applications", {
        cookie: fan.cookie,
        body: { ...body, idFrontUploadId: await uploadId(h.server, fan.cookie), idBackUploadId: await uploadId(h.server, fan.cookie) },
      });
      expect(again.status).toBe(400);
      expect(again.body.error.code).toBe("sms_code_expired");
    });

    it("validates the ID number's check character and birth date, and the customer number per type", async () => {
      const fan = await newFan();
      const badCheck = await submit(fan, { idNumber: "110105194912310021" });
      expect(badCheck.status).toBe(400);
      expect(badCheck.body.error.message).toBe("身份证号不正确，请核对");
      const badDate = await submit(fan, { idNumber: "110105194902300020" });
      expect(badDate.status).toBe(400);
      const noNumber = await submit(fan, { customerNumber: "" });
      expect(noNumber.status).toBe(400);
      expect(noNumber.body.error.code).toBe("customer_number_required");

      const fan2 = await newFan();
      const created = await submit(fan2, { type: "new_account", customerNumber: "310100001", idNumber: VALID_ID.toLowerCase() });
      expect(created.status).toBe(201);
      expect(created.body.application).toMatchObject({
        type: "new_account",
        typeLabel: "个人开户",
        status: "submitted",
        customerNumber: null,
        idNumber: "1101**********002X",
        feeFen: 0,
        payUrl: null,
        timeline: [{ status: "submitted", statusLabel: "已提交", actor: "本人" }],
      });
      expect(created.body.application.number).toMatch(/^SQ\d{14}$/);
    });

    it("accepts only the fan's own, unused image uploads as ID photos", async () => {
      const owner = await newFan();
      const other = await newFan();
      const othersPhoto = await uploadId(h.server, other.cookie);
      const foreign = await submit(owner, { idFrontUploadId: othersPhoto });
      expect(foreign.status).toBe(400);
      expect(foreign.body.error.code).toBe("upload_invalid");
      const voice = await uploadId(h.server, owner.cookie, AMR, "voice");
      expect((await submit(owner, { idBackUploadId: voice })).body.error.code).toBe("upload_invalid");

      const first = await submit(owner);
      expect(first.status).toBe(201);
      const detail = await api(h.server, "GET", `/api/console/applications/${first.body.application.id}`, { cookie: (await makeAgent(h.server, { role: "supervisor" })).cookie });
      const used = await submit(owner, { idFrontUploadId: detail.body.application.idFront.id });
      expect(used.status).toBe(400);
      expect(used.body.error.code).toBe("upload_used");
    });
  });

  describe("the status timeline", () => {
    it("moves submitted → accepted → processing → done, one timeline row and one fan notice each; illegal moves are 409", async () => {
      const fan = await newFan();
      const supervisor = await makeAgent(h.server, { role: "supervisor", name: "王组长" });
      const created = await submit(fan);
      const id = created.body.application.id;
      const move = (status: string, note?: string) => api(h.server, "POST", `/api/console/applications/${id}/status`, { cookie: supervisor.cookie, body: { status, note } });

      const skip = await move("done");
      expect(skip.status).toBe(409);
      expect(skip.body.error.code).toBe("illegal_transition");
      expect((await move("processing")).status).toBe(409);

      const accepted = await move("accepted", "请携带身份证原件到营业厅");
      expect(accepted.status).toBe(200);
      expect(accepted.body.application).toMatchObject({ status: "accepted", handlerId: supervisor.id, nextStatuses: ["processing", "rejected"] });
      expect((await move("accepted")).status).toBe(409);
      expect((await move("processing")).status).toBe(200);
      const done = await move("done", "过户已完成");
      expect(done.body.application.status).toBe("done");
      expect((await move("rejected", "太晚了")).status).toBe(409);

      const fanView = await api(h.server, "GET", `/api/fan/applications/${id}`, { cookie: fan.cookie });
      expect(fanView.body.application.timeline.map((row: any) => [row.status, row.actor, row.note])).toEqual([
        ["submitted", "本人", null],
        ["accepted", "工作人员", "请携带身份证原件到营业厅"],
        ["processing", "工作人员", null],
        ["done", "工作人员", "过户已完成"],
      ]);
      const staffView = await api(h.server, "GET", `/api/console/applications/${id}`, { cookie: supervisor.cookie });
      expect(staffView.body.application.timeline.map((row: any) => row.actor)).toEqual(["粉丝", "王组长", "王组长", "王组长"]);

      for (const status of ["accepted", "processing", "done"]) {
        const rows = await outboxFor(`application:${id}:${status}`);
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ kind: "template", fanOpenid: fan.openid });
        expect((rows[0].payload as any).templateId).toBe("tmpl_sandbox_application_status");
        expect((rows[0].payload as any).url).toContain(encodeURIComponent(`/h5/#/applications/${id}`));
      }
      // The dispatcher delivers them to the sandbox's fake WeChat.
      await eventually(() => (h.server.context.sandbox!.fake.templateMessages.filter((m: any) => m.toUser === fan.openid).length >= 3 ? true : undefined));
    });

    it("requires a reason to reject, and shows it to the fan", async () => {
      const fan = await newFan();
      const supervisor = await makeAgent(h.server, { role: "supervisor" });
      const id = (await submit(fan)).body.application.id;
      const noReason = await api(h.server, "POST", `/api/console/applications/${id}/status`, { cookie: supervisor.cookie, body: { status: "rejected" } });
      expect(noReason.status).toBe(400);
      expect(noReason.body.error.code).toBe("reason_required");
      const rejected = await api(h.server, "POST", `/api/console/applications/${id}/status`, { cookie: supervisor.cookie, body: { status: "rejected", note: "身份证照片不清晰" } });
      expect(rejected.status).toBe(200);
      const fanView = (await api(h.server, "GET", `/api/fan/applications/${id}`, { cookie: fan.cookie })).body.application;
      expect(fanView).toMatchObject({ status: "rejected", statusLabel: "已驳回", rejectReason: "身份证照片不清晰" });
      const [notice] = await outboxFor(`application:${id}:rejected`);
      expect(JSON.stringify(notice.payload)).toContain("驳回原因");
    });

    it("lets only one of two concurrent accepts win", async () => {
      const fan = await newFan();
      const [a, b] = await Promise.all([makeAgent(h.server, { role: "supervisor" }), makeAgent(h.server, { role: "admin" })]);
      const id = (await submit(fan)).body.application.id;
      const results = await Promise.all([a, b].map((actor) => api(h.server, "POST", `/api/console/applications/${id}/status`, { cookie: actor.cookie, body: { status: "accepted" } })));
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const staffView = await api(h.server, "GET", `/api/console/applications/${id}`, { cookie: a.cookie });
      expect(staffView.body.application.timeline.filter((row: any) => row.status === "accepted")).toHaveLength(1);
    });
  });

  describe("fan isolation and staff views", () => {
    it("shows a fan only their own applications; another fan's id is 404", async () => {
      const owner = await newFan();
      const other = await newFan();
      const id = (await submit(owner)).body.application.id;
      expect((await api(h.server, "GET", `/api/fan/applications/${id}`, { cookie: other.cookie })).status).toBe(404);
      expect((await api(h.server, "GET", "/api/fan/applications", { cookie: other.cookie })).body.applications).toEqual([]);
      expect((await api(h.server, "GET", "/api/fan/applications", { cookie: owner.cookie })).body.applications.map((a: any) => a.id)).toEqual([id]);
    });

    it("shows agents a read-only view with the ID and phone masked and no photos; supervisors the full record, audited", async () => {
      const fan = await newFan();
      const id = (await submit(fan)).body.application.id;
      const agent = await makeAgent(h.server, { role: "agent" });
      const supervisor = await makeAgent(h.server, { role: "supervisor" });
      const agentView = (await api(h.server, "GET", `/api/console/applications/${id}`, { cookie: agent.cookie })).body.application;
      expect(agentView).toMatchObject({ idNumber: "1101**********002X", idFront: null, idBack: null, canHandle: false, nextStatuses: [] });
      expect(agentView.phone).toMatch(/^1\d{2}\*{4}\d{4}$/);
      const full = (await api(h.server, "GET", `/api/console/applications/${id}`, { cookie: supervisor.cookie })).body.application;
      expect(full).toMatchObject({ idNumber: VALID_ID, canHandle: true, fanOpenid: fan.openid });
      expect(full.phone).toMatch(/^1\d{10}$/);
      expect(full.idFront.url).toBe(`/api/console/uploads/${full.idFront.id}`);
      const audit = await h.server.dataSource.query("SELECT actor_id FROM audit_log WHERE action = 'application.view' AND actor_id = ?", [supervisor.id]);
      expect(audit).toHaveLength(1);

      // ID photos: supervisors may read them, agents may not (404), the fan who uploaded them may.
      const photo = await fetch(`${h.server.url}${full.idFront.url}`, { headers: { cookie: supervisor.cookie } });
      expect(photo.status).toBe(200);
      expect(photo.headers.get("content-type")).toBe("image/png");
      expect(Buffer.from(await photo.arrayBuffer()).equals(PNG)).toBe(true);
      expect((await fetch(`${h.server.url}${full.idFront.url}`, { headers: { cookie: agent.cookie } })).status).toBe(404);
      expect((await fetch(`${h.server.url}/api/fan/uploads/${full.idFront.id}`, { headers: { cookie: fan.cookie } })).status).toBe(200);
    });

    it("filters the staff list by type, status and date", async () => {
      const fan = await newFan();
      const created = (await submit(fan, { type: "meter_check" })).body.application;
      const agent = await makeAgent(h.server, { role: "agent" });
      const list = (query: string) => api(h.server, "GET", `/api/console/applications?${query}`, { cookie: agent.cookie });
      const byType = (await list("type=meter_check&status=awaiting_payment")).body.applications;
      expect(byType.map((a: any) => a.id)).toContain(created.id);
      expect(byType.every((a: any) => a.type === "meter_check" && a.status === "awaiting_payment")).toBe(true);
      expect((await list("type=new_account")).body.applications.map((a: any) => a.id)).not.toContain(created.id);
      const future = new Date(h.clock.now().getTime() + 86_400_000).toISOString();
      expect((await list(`from=${encodeURIComponent(future)}`)).body.applications).toEqual([]);
      expect((await list("status=nonsense")).status).toBe(400);
      expect((await list("from=notadate")).status).toBe(400);
    });
  });

  describe("meter check fee (the payments contract)", () => {
    it("waits for payment: staff cannot accept it, feeFor quotes 25 yuan to its fan only, markPaid is idempotent", async () => {
      const fan = await newFan();
      const other = await newFan();
      const supervisor = await makeAgent(h.server, { role: "supervisor" });
      const created = (await submit(fan, { type: "meter_check" })).body.application;
      expect(created).toMatchObject({ status: "awaiting_payment", statusLabel: "待支付", feeFen: 2500, payUrl: `/h5/#/pay/application/${created.id}` });
      const accept = await api(h.server, "POST", `/api/console/applications/${created.id}/status`, { cookie: supervisor.cookie, body: { status: "accepted" } });
      expect(accept.status).toBe(409);
      expect(accept.body.error.code).toBe("not_paid");

      await expect(fees().feeFor(other.openid, created.id)).rejects.toMatchObject({ status: 404 });
      await expect(fees().feeFor(fan.openid, "0190a0a0-0000-7000-8000-000000000000")).rejects.toMatchObject({ status: 404 });
      expect(await fees().feeFor(fan.openid, created.id)).toEqual({ amountFen: 2500, description: `水表校验服务费（${created.number}）`, customerNumber: "310100001" });

      const paidAt = h.clock.now();
      await withTransaction(h.server.dataSource, (manager) => fees().markPaid(manager, created.id, { orderId: "ORDER-1", paidAt }));
      await withTransaction(h.server.dataSource, (manager) => fees().markPaid(manager, created.id, { orderId: "ORDER-1", paidAt }));
      const after = (await api(h.server, "GET", `/api/fan/applications/${created.id}`, { cookie: fan.cookie })).body.application;
      expect(after).toMatchObject({ status: "submitted", payUrl: null, paid: true });
      expect(after.timeline.map((row: any) => [row.status, row.actor])).toEqual([
        ["awaiting_payment", "本人"],
        ["submitted", "系统"],
      ]);
      expect(await outboxFor(`application:${created.id}:submitted`)).toHaveLength(1);
      await expect(fees().feeFor(fan.openid, created.id)).rejects.toMatchObject({ status: 409 });
      const accepted = await api(h.server, "POST", `/api/console/applications/${created.id}/status`, { cookie: supervisor.cookie, body: { status: "accepted" } });
      expect(accepted.status).toBe(200);
      expect(accepted.body.application.paymentOrderId).toBe("ORDER-1");
    });

    it("rolls back with the payments transaction", async () => {
      const fan = await newFan();
      const created = (await submit(fan, { type: "meter_check" })).body.application;
      await expect(
        withTransaction(h.server.dataSource, async (manager) => {
          await fees().markPaid(manager, created.id, { orderId: "ORDER-ROLLBACK", paidAt: h.clock.now() });
          throw new Error("payment write failed");
        }),
      ).rejects.toThrow("payment write failed");
      expect((await api(h.server, "GET", `/api/fan/applications/${created.id}`, { cookie: fan.cookie })).body.application.status).toBe("awaiting_payment");
      expect(await outboxFor(`application:${created.id}:submitted`)).toHaveLength(0);
    });
  });

  describe("uploads", () => {
    it("accepts JPEG/PNG/WebP images and AMR/MP3/M4A voice by their bytes, refuses other types and oversized files", async () => {
      const fan = await newFan();
      const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(100)]);
      const webp = Buffer.concat([Buffer.from("RIFF", "latin1"), Buffer.alloc(4), Buffer.from("WEBPVP8 ", "latin1"), Buffer.alloc(40)]);
      const mp3 = Buffer.concat([Buffer.from("ID3", "latin1"), Buffer.alloc(100)]);
      const m4a = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from("ftypM4A ", "latin1"), Buffer.alloc(40)]);
      for (const [data, type] of [
        [jpeg, "image/jpeg"],
        [PNG, "image/png"],
        [webp, "image/webp"],
        [AMR, "audio/amr"],
        [mp3, "audio/mpeg"],
        [m4a, "audio/mp4"],
      ] as const) {
        const response = await upload(h.server, fan.cookie, data);
        expect([type, response.status, response.body.upload?.contentType]).toEqual([type, 201, type]);
      }
      // The browser's claim does not count: HTML labelled image/png is refused.
      const html = await upload(h.server, fan.cookie, Buffer.from("<html><script>alert(1)</script></html>"), { contentType: "image/png" });
      expect(html.status).toBe(415);
      expect((await upload(h.server, fan.cookie, Buffer.from("GIF89a....", "latin1"))).status).toBe(415);
      // The form's expected kind is enforced.
      expect((await upload(h.server, fan.cookie, AMR, { kind: "image" })).status).toBe(415);
      expect((await upload(h.server, fan.cookie, PNG, { kind: "voice" })).status).toBe(415);
      expect((await upload(h.server, fan.cookie, Buffer.alloc(0))).status).toBe(400);
      const bigImage = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]);
      const tooBig = await upload(h.server, fan.cookie, bigImage, { kind: "image" });
      expect(tooBig.status).toBe(413);
      const bigVoice = Buffer.concat([AMR, Buffer.alloc(2 * 1024 * 1024)]);
      expect((await upload(h.server, fan.cookie, bigVoice)).status).toBe(413);
      expect((await upload(h.server, fan.cookie, PNG, { kind: "video" as any })).status).toBe(400);
    });

    it("lets a fan read only their own files, and staff only attached ones", async () => {
      const owner = await newFan();
      const other = await newFan();
      const id = await uploadId(h.server, owner.cookie);
      const own = await fetch(`${h.server.url}/api/fan/uploads/${id}`, { headers: { cookie: owner.cookie } });
      expect(own.status).toBe(200);
      expect(own.headers.get("x-content-type-options")).toBe("nosniff");
      expect((await fetch(`${h.server.url}/api/fan/uploads/${id}`, { headers: { cookie: other.cookie } })).status).toBe(404);
      const admin = await makeAgent(h.server, { role: "admin" });
      expect((await fetch(`${h.server.url}/api/console/uploads/${id}`, { headers: { cookie: admin.cookie } })).status).toBe(404);
      expect((await fetch(`${h.server.url}/api/fan/uploads/not-an-id`, { headers: { cookie: owner.cookie } })).status).toBe(404);
      // freshCode stays usable after uploads (no interference with the SMS limits).
      expect(await freshCode(h.server, owner.cookie, owner.openid, owner.phone)).toMatch(/^\d{6}$/);
    });
  });
});
