import { Complaint } from "../src/modules/complaints/complaint.entity";
import { Conversation } from "../src/modules/conversations/conversation.entity";
import { OutboxMessage } from "../src/modules/outbox/outboxMessage.entity";
import { AMR, PNG, uploadId } from "./applicationsHelpers";
import { api, eventually, makeAgent, replyText, startHarness, textsTo, waitingConversationOf } from "./conversationsHelpers";
import { bindDemo, fanTypes, newPhone, startWaterHarness, verifiedFan, type WaterHarness } from "./waterHelpers";

/** The complaint center: filing from H5, the workflow and its roles, fan isolation, SLA ages, conversation → complaint, chat entry. */
describe("complaints (MariaDB + Redis)", () => {
  let h: WaterHarness;
  let fanCounter = 0;

  beforeAll(async () => {
    h = await startWaterHarness("complaints");
    await h.server.settings.set("service.hoursStart", "00:00");
    await h.server.settings.set("service.hoursEnd", "24:00");
  });
  afterAll(async () => {
    await h?.close();
  });

  async function newFan() {
    fanCounter++;
    const openid = `oFanComplain${String(process.pid % 100000).padStart(5, "0")}${String(fanCounter).padStart(10, "0")}`;
    const cookie = await verifiedFan(h.server, openid, newPhone());
    return { openid, cookie };
  }

  async function file(fan: { cookie: string }, body: Record<string, unknown> = {}) {
    return api(h.server, "POST", "/api/fan/complaints", { cookie: fan.cookie, body: { category: "complaint", content: "小区门口水管漏水三天了，一直没人来修。", ...body } });
  }

  const staff = (cookie: string) => ({
    get: (path: string) => api(h.server, "GET", `/api/console${path}`, { cookie }),
    post: (path: string, body: unknown = {}) => api(h.server, "POST", `/api/console${path}`, { cookie, body }),
  });

  describe("who may call", () => {
    it("requires sessions: fan routes a fan's, console routes an agent's; accept, assign and close need a supervisor", async () => {
      const id = "0190a0a0-0000-7000-8000-000000000000";
      for (const [method, path] of [
        ["GET", "/api/fan/complaints"],
        ["POST", "/api/fan/complaints"],
        ["GET", `/api/fan/complaints/${id}`],
        ["POST", `/api/fan/complaints/${id}/rating`],
        ["GET", "/api/console/complaints"],
        ["GET", `/api/console/complaints/${id}`],
        ["POST", `/api/console/complaints/${id}/accept`],
        ["POST", `/api/console/complaints/${id}/assign`],
        ["POST", `/api/console/complaints/${id}/notes`],
        ["POST", `/api/console/complaints/${id}/reply`],
        ["POST", `/api/console/complaints/${id}/revisit`],
        ["POST", `/api/console/complaints/${id}/close`],
        ["POST", `/api/console/conversations/${id}/complaint`],
      ]) {
        expect([method, path, (await api(h.server, method, path, method === "POST" ? { body: {} } : {})).status]).toEqual([method, path, 401]);
      }
      const fan = await newFan();
      const complaintId = (await file(fan)).body.complaint.id;
      const agent = staff((await makeAgent(h.server, { role: "agent" })).cookie);
      expect((await agent.get("/complaints")).status).toBe(200);
      expect((await agent.get(`/complaints/${complaintId}`)).status).toBe(200);
      expect((await agent.post(`/complaints/${complaintId}/accept`)).status).toBe(403);
      expect((await agent.post(`/complaints/${complaintId}/assign`, { assigneeId: id })).status).toBe(403);
      expect((await agent.post(`/complaints/${complaintId}/close`, { note: "重复" })).status).toBe(403);
    });
  });

  describe("filing from H5", () => {
    it("files a complaint with up to 6 photos, a voice note, a location and a bound account", async () => {
      const fan = await newFan();
      const account = await bindDemo(h.server, fan.cookie, "310100001", "张建国");
      expect(account.status).toBe(201);
      const photos = await Promise.all(Array.from({ length: 6 }, () => uploadId(h.server, fan.cookie)));
      const voice = await uploadId(h.server, fan.cookie, AMR, "voice");
      const created = await file(fan, {
        photoUploadIds: photos,
        voiceUploadId: voice,
        location: { lat: 31.2304, lng: 121.4737, label: "滨江路 88 号门口" },
        accountId: account.body.account.id,
      });
      expect(created.status).toBe(201);
      const complaint = created.body.complaint;
      expect(complaint).toMatchObject({
        category: "complaint",
        status: "submitted",
        statusLabel: "已提交",
        customerNumber: "310100001",
        location: { lat: 31.2304, lng: 121.4737, label: "滨江路 88 号门口" },
        canRate: false,
        timeline: [{ type: "created", status: "submitted", actor: "本人" }],
      });
      expect(complaint.number).toMatch(/^TS\d{14}$/);
      expect(complaint.photos.map((p: any) => p.id)).toEqual(photos);
      expect(complaint.voice).toMatchObject({ id: voice, contentType: "audio/amr", url: `/api/fan/uploads/${voice}` });
      expect(complaint).not.toHaveProperty("transcript");

      // Staff read the attachments (any role), through the console URL.
      const agent = await makeAgent(h.server, { role: "agent" });
      const detail = (await staff(agent.cookie).get(`/complaints/${complaint.id}`)).body.complaint;
      expect(detail).toMatchObject({ source: "h5", sourceLabel: "微信网页", fanOpenid: fan.openid, assigneeId: null });
      const photo = await fetch(`${h.server.url}${detail.photos[0].url}`, { headers: { cookie: agent.cookie } });
      expect(photo.status).toBe(200);
      expect(Buffer.from(await photo.arrayBuffer()).equals(PNG)).toBe(true);
    });

    it("refuses a 7th photo, over-long text, someone else's upload or account, and a photo as the voice note", async () => {
      const fan = await newFan();
      const other = await newFan();
      const photos = await Promise.all(Array.from({ length: 7 }, () => uploadId(h.server, fan.cookie)));
      const seven = await file(fan, { photoUploadIds: photos });
      expect(seven.status).toBe(400);
      expect(seven.body.error.message).toBe("最多上传 6 张照片");
      expect((await file(fan, { content: "水".repeat(1001) })).status).toBe(400);
      expect((await file(fan, { content: "   " })).status).toBe(400);
      expect((await file(fan, { category: "praise" })).status).toBe(400);
      const foreign = await file(fan, { photoUploadIds: [await uploadId(h.server, other.cookie)] });
      expect(foreign.status).toBe(400);
      expect(foreign.body.error.code).toBe("upload_invalid");
      expect((await file(fan, { voiceUploadId: photos[0] })).body.error.code).toBe("upload_invalid");
      const othersAccount = await bindDemo(h.server, other.cookie, "310100002", "李秀英");
      expect((await file(fan, { accountId: othersAccount.body.account.id })).body.error.code).toBe("account_invalid");
      expect((await file(fan, { location: { lat: 91, lng: 0 } })).status).toBe(400);
      expect((await api(h.server, "GET", "/api/fan/complaints", { cookie: fan.cookie })).body.complaints).toEqual([]);
      // Nothing was attached by the refused attempts: the photos are still usable.
      expect((await file(fan, { photoUploadIds: photos.slice(0, 6) })).status).toBe(201);
    });
  });

  describe("the workflow", () => {
    it("accept → note → reply (template to the fan) → fan rating → close, each on the timeline; illegal moves are 409", async () => {
      const fan = await newFan();
      const supervisor = await makeAgent(h.server, { role: "supervisor", name: "张组长" });
      const handler = await makeAgent(h.server, { role: "agent", name: "刘处理" });
      const bystander = await makeAgent(h.server, { role: "agent" });
      const boss = staff(supervisor.cookie);
      const agent = staff(handler.cookie);
      const id = (await file(fan, { category: "suggestion", content: "建议在营业厅增加自助缴费机。" })).body.complaint.id;

      expect((await agent.post(`/complaints/${id}/reply`, { result: "已处理" })).status).toBe(409);
      expect((await agent.post(`/complaints/${id}/notes`, { note: "看一下" })).status).toBe(409);
      const accepted = await boss.post(`/complaints/${id}/accept`, { assigneeId: handler.id });
      expect(accepted.status).toBe(200);
      expect(accepted.body.complaint).toMatchObject({ status: "accepted", assigneeId: handler.id, assigneeName: "刘处理" });
      expect((await boss.post(`/complaints/${id}/accept`)).status).toBe(409);

      // Only the assignee (or a supervisor) works on it.
      expect((await staff(bystander.cookie).post(`/complaints/${id}/notes`, { note: "我来" })).status).toBe(403);
      const noted = await agent.post(`/complaints/${id}/notes`, { note: "已联系营业厅主任，内部记录" });
      expect(noted.body.complaint.status).toBe("processing");
      await agent.post(`/complaints/${id}/notes`, { note: "预计下月安装", public: true });
      expect((await agent.post(`/complaints/${id}/revisit`, { rating: 5 })).status).toBe(409);

      const replied = await agent.post(`/complaints/${id}/reply`, { result: "感谢建议，营业厅将于下月增设两台自助缴费机。" });
      expect(replied.status).toBe(200);
      expect(replied.body.complaint).toMatchObject({ status: "replied", result: "感谢建议，营业厅将于下月增设两台自助缴费机。" });
      const [notice] = await h.server.dataSource.getRepository(OutboxMessage).findBy({ ref: `complaint:${id}:replied` });
      expect(notice).toMatchObject({ kind: "template", fanOpenid: fan.openid });
      expect((notice.payload as any).templateId).toBe("tmpl_sandbox_complaint_result");
      expect((notice.payload as any).data.thing2.value).toBe("感谢建议，营业厅将于下月增设两台自助缴…");
      await eventually(() => h.server.context.sandbox!.fake.templateMessages.some((m: any) => m.toUser === fan.openid && m.templateId === "tmpl_sandbox_complaint_result"));
      expect((await agent.post(`/complaints/${id}/reply`, { result: "再说一次" })).status).toBe(409);

      // The fan sees the public part of the timeline and rates the result.
      const fanView = (await api(h.server, "GET", `/api/fan/complaints/${id}`, { cookie: fan.cookie })).body.complaint;
      expect(fanView.canRate).toBe(true);
      expect(fanView.timeline.map((row: any) => [row.type, row.note])).toEqual([
        ["created", null],
        ["accepted", null],
        ["note", "预计下月安装"],
        ["replied", "感谢建议，营业厅将于下月增设两台自助缴费机。"],
      ]);
      expect(JSON.stringify(fanView)).not.toContain("内部记录");
      expect(JSON.stringify(fanView)).not.toContain("刘处理");
      expect((await api(h.server, "POST", `/api/fan/complaints/${id}/rating`, { cookie: fan.cookie, body: { rating: 6 } })).status).toBe(400);
      const rated = await api(h.server, "POST", `/api/fan/complaints/${id}/rating`, { cookie: fan.cookie, body: { rating: 4, comment: "希望尽快" } });
      expect(rated.status).toBe(200);
      expect(rated.body.complaint).toMatchObject({ status: "revisited", rating: 4, canRate: false });
      const twice = await api(h.server, "POST", `/api/fan/complaints/${id}/rating`, { cookie: fan.cookie, body: { rating: 5 } });
      expect(twice.status).toBe(409);
      expect((await agent.post(`/complaints/${id}/revisit`, { rating: 1 })).status).toBe(409);

      const closed = await boss.post(`/complaints/${id}/close`);
      expect(closed.status).toBe(200);
      expect(closed.body.complaint).toMatchObject({ status: "closed", rating: 4, ratingBy: "fan" });
      expect(closed.body.complaint.timeline.map((row: any) => row.type)).toEqual(["created", "accepted", "note", "note", "replied", "revisited", "closed"]);
      expect(closed.body.complaint.timeline[2]).toMatchObject({ actor: "刘处理", isPublic: false });
      expect((await boss.post(`/complaints/${id}/close`)).status).toBe(409);
    });

    it("records the revisit by staff after a call; assigning accepts; closing an unanswered ticket needs a reason", async () => {
      const fan = await newFan();
      const supervisor = await makeAgent(h.server, { role: "supervisor" });
      const handler = await makeAgent(h.server, { role: "agent" });
      const boss = staff(supervisor.cookie);
      const id = (await file(fan)).body.complaint.id;
      expect((await boss.post(`/complaints/${id}/assign`, { assigneeId: "0190a0a0-0000-7000-8000-000000000000" })).status).toBe(400);
      const assigned = await boss.post(`/complaints/${id}/assign`, { assigneeId: handler.id });
      expect(assigned.body.complaint).toMatchObject({ status: "accepted", assigneeId: handler.id });
      await staff(handler.cookie).post(`/complaints/${id}/reply`, { result: "已派人维修，漏水已止住。" });
      expect((await staff(handler.cookie).post(`/complaints/${id}/revisit`, { rating: 0 })).status).toBe(400);
      const revisited = await staff(handler.cookie).post(`/complaints/${id}/revisit`, { rating: 5, note: "电话回访，用户满意" });
      expect(revisited.body.complaint).toMatchObject({ status: "revisited", rating: 5, ratingBy: "staff", revisitNote: "电话回访，用户满意" });
      expect((await api(h.server, "POST", `/api/fan/complaints/${id}/rating`, { cookie: fan.cookie, body: { rating: 1 } })).status).toBe(409);

      const other = (await file(fan, { content: "重复提交" })).body.complaint.id;
      const noReason = await boss.post(`/complaints/${other}/close`);
      expect(noReason.status).toBe(400);
      expect(noReason.body.error.code).toBe("reason_required");
      expect((await boss.post(`/complaints/${other}/close`, { note: "与前一工单重复" })).body.complaint.status).toBe("closed");
    });
  });

  describe("fan isolation", () => {
    it("shows a fan only their own tickets: another fan's id is 404 for reading and rating", async () => {
      const owner = await newFan();
      const other = await newFan();
      const id = (await file(owner)).body.complaint.id;
      expect((await api(h.server, "GET", `/api/fan/complaints/${id}`, { cookie: other.cookie })).status).toBe(404);
      expect((await api(h.server, "POST", `/api/fan/complaints/${id}/rating`, { cookie: other.cookie, body: { rating: 5 } })).status).toBe(404);
      expect((await api(h.server, "GET", "/api/fan/complaints", { cookie: other.cookie })).body.complaints).toEqual([]);
      expect((await api(h.server, "GET", "/api/fan/complaints", { cookie: owner.cookie })).body.complaints.map((c: any) => c.id)).toEqual([id]);
      expect((await api(h.server, "GET", "/api/fan/complaints/nonsense", { cookie: owner.cookie })).status).toBe(404);
    });
  });

  describe("the complaint center list", () => {
    it("shows SLA ages, marks tickets overdue past complaints.slaHours, and filters", async () => {
      await h.server.settings.set("complaints.slaHours", 48);
      const fan = await newFan();
      const supervisor = await makeAgent(h.server, { role: "supervisor" });
      const boss = staff(supervisor.cookie);
      const old = (await file(fan, { content: "旧的投诉" })).body.complaint.id;
      h.clock.advance(50 * 3600_000);
      const fresh = (await file(fan, { category: "suggestion", content: "新的建议" })).body.complaint.id;
      await boss.post(`/complaints/${fresh}/accept`);

      const list = (await boss.get("/complaints?limit=100")).body;
      const row = (id: string) => list.complaints.find((c: any) => c.id === id);
      expect(row(old)).toMatchObject({ ageHours: 50, overdue: true, status: "submitted" });
      expect(row(fresh)).toMatchObject({ ageHours: 0, overdue: false, assigneeId: supervisor.id });
      expect(list.slaHours).toBe(48);
      expect(list.counts.overdue).toBeGreaterThanOrEqual(1);

      const ids = async (query: string) => (await boss.get(`/complaints?limit=100&${query}`)).body.complaints.map((c: any) => c.id);
      expect(await ids("overdue=1")).toContain(old);
      expect(await ids("overdue=1")).not.toContain(fresh);
      expect(await ids("category=suggestion")).toContain(fresh);
      expect(await ids("category=suggestion")).not.toContain(old);
      expect(await ids("assignee=me")).toEqual([fresh]);
      expect(await ids("assignee=none")).toContain(old);
      expect(await ids("status=accepted&source=h5")).toContain(fresh);
      expect(await ids("source=conversation")).not.toContain(old);
      expect(await ids(`from=${encodeURIComponent(new Date(h.clock.now().getTime() - 3600_000).toISOString())}`)).not.toContain(old);
      expect((await boss.get("/complaints?status=bogus")).status).toBe(400);

      // Answered in time or not: the age stops at the reply.
      await boss.post(`/complaints/${old}/accept`);
      await boss.post(`/complaints/${old}/reply`, { result: "已处理" });
      h.clock.advance(10 * 3600_000);
      const answered = (await boss.get(`/complaints/${old}`)).body.complaint;
      expect(answered).toMatchObject({ ageHours: 50, overdue: true, status: "replied" });
    });
  });

  describe("conversation → complaint", () => {
    async function servedConversation(agentId: string) {
      const fan = await newFan();
      await fanTypes(h.server, fan.openid, "你好，我家水压很低");
      const conversationId = await eventually(async () => {
        const row = await h.server.dataSource.getRepository(Conversation).findOneBy({ fanOpenid: fan.openid });
        return row?.id;
      });
      await h.server.dataSource.getRepository(Conversation).update({ id: conversationId }, { status: "active", agentId, acceptedAt: h.clock.now() });
      return { fan, conversationId };
    }

    it("lets the serving agent or a supervisor turn a conversation into a ticket with the transcript, once", async () => {
      const owner = await makeAgent(h.server, { role: "agent", name: "陈客服", status: "offline" });
      const other = await makeAgent(h.server, { role: "agent", status: "offline" });
      const supervisor = await makeAgent(h.server, { role: "supervisor", status: "offline" });
      const { fan, conversationId } = await servedConversation(owner.id);

      const refused = await staff(other.cookie).post(`/conversations/${conversationId}/complaint`);
      expect(refused.status).toBe(403);
      const created = await staff(owner.cookie).post(`/conversations/${conversationId}/complaint`, { content: "用户反映水压低，需要管网科上门" });
      expect(created.status).toBe(201);
      expect(created.body.complaint).toMatchObject({ source: "conversation", conversationId, fanOpenid: fan.openid, content: "用户反映水压低，需要管网科上门", status: "submitted" });
      expect(created.body.complaint.transcript.map((line: any) => [line.direction, line.content])).toContainEqual(["in", "你好，我家水压很低"]);
      expect(created.body.complaint.timeline[0]).toMatchObject({ type: "created", actor: "陈客服" });
      expect((await h.server.dataSource.getRepository(Conversation).findOneBy({ id: conversationId }))!.complaintId).toBe(created.body.complaint.id);
      const again = await staff(supervisor.cookie).post(`/conversations/${conversationId}/complaint`);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe("complaint_exists");
      // The fan sees it in their list, without the transcript.
      const fanView = await api(h.server, "GET", `/api/fan/complaints/${created.body.complaint.id}`, { cookie: fan.cookie });
      expect(fanView.status).toBe(200);
      expect(fanView.body.complaint).not.toHaveProperty("transcript");

      // Closing it as unresolved afterwards keeps that ticket rather than filing a second one.
      const closed = await staff(owner.cookie).post(`/conversations/${conversationId}/close`, { outcome: "unresolved", reason: "需要上门" });
      expect(closed.status).toBe(200);
      expect(await h.server.dataSource.getRepository(Complaint).countBy({ conversationId })).toBe(1);
      expect((await h.server.dataSource.getRepository(Conversation).findOneBy({ id: conversationId }))!.complaintId).toBe(created.body.complaint.id);

      const second = await servedConversation(owner.id);
      expect((await staff(supervisor.cookie).post(`/conversations/${second.conversationId}/complaint`, { category: "suggestion" })).status).toBe(201);
      expect((await staff(owner.cookie).post("/conversations/0190a0a0-0000-7000-8000-000000000000/complaint")).status).toBe(404);
    });
  });

  describe("in chat", () => {
    it("answers 我要投诉 and the COMPLAINT menu key with the H5 form link, without queueing a conversation", async () => {
      const openid = "oFanComplainChat000000000001";
      h.server.context.sandbox?.fake.upsertFan({ openId: openid, nickname: openid, subscribed: true });
      const reply = replyText(await fanTypes(h.server, openid, "我要投诉"));
      expect(reply).toContain(encodeURIComponent("/h5/#/complaints/new?source=chat_menu"));
      expect(await h.server.dataSource.getRepository(Conversation).countBy({ fanOpenid: openid })).toBe(0);
    });
  });

  describe("outside the sandbox without a result template", () => {
    it("sends the result as a customer-service text with the H5 link (inside the 48-hour window)", async () => {
      const plain = await startHarness("complaintsplain");
      try {
        const agent = await makeAgent(plain.server, { role: "agent", status: "offline" });
        const supervisor = await makeAgent(plain.server, { role: "supervisor", status: "offline" });
        const openid = "oFanComplainPlain0000000001";
        const conversationId = await waitingConversationOf(plain, openid, "家里水管爆了");
        await plain.server.dataSource.getRepository(Conversation).update({ id: conversationId }, { status: "active", agentId: agent.id, acceptedAt: plain.clock.now() });
        const post = (cookie: string, path: string, body: unknown = {}) => api(plain.server, "POST", `/api/console${path}`, { cookie, body });
        const created = await post(agent.cookie, `/conversations/${conversationId}/complaint`);
        expect(created.status).toBe(201);
        const id = created.body.complaint.id;
        await post(supervisor.cookie, `/complaints/${id}/accept`, { assigneeId: agent.id });
        expect((await post(agent.cookie, `/complaints/${id}/reply`, { result: "维修人员已上门更换水管。" })).status).toBe(200);
        const [row] = await plain.server.dataSource.getRepository(OutboxMessage).findBy({ ref: `complaint:${id}:replied` });
        expect(row.kind).toBe("custom");
        await eventually(() => textsTo(plain.fake, openid).some((text) => text.includes("维修人员已上门更换水管。") && text.includes(encodeURIComponent(`/h5/#/complaints/${id}`))));
      } finally {
        await plain.close();
      }
    });
  });
});
