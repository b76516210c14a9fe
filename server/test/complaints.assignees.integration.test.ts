import { Agent } from "../src/modules/agents/agent.entity";
import { api, cookieFor, makeAgent } from "./agentsHelpers";
import { newPhone, startWaterHarness, verifiedFan, type WaterHarness } from "./waterHelpers";

/**
 * Who a complaint may be assigned to: every active staff member, whatever their chat status (the console
 * first offered only agents online for chat, so an offline agent could never be given a ticket).
 */
describe("complaint assignees (MariaDB + Redis)", () => {
  let h: WaterHarness;

  beforeAll(async () => {
    h = await startWaterHarness("complaint-assignees");
  });
  afterAll(async () => {
    await h?.close();
  });

  it("lists every active staff member, offline ones too, for any signed-in staff member only", async () => {
    const offline = await makeAgent(h.server, { role: "agent", name: "离线客服", status: "offline" });
    const away = await makeAgent(h.server, { role: "agent", name: "离开客服", status: "away" });
    const gone = await makeAgent(h.server, { role: "agent", name: "已删除客服" });
    await h.server.dataSource.getRepository(Agent).update({ id: gone.id }, { deletedAt: new Date() });

    expect((await api(h.server, "GET", "/api/console/complaints/assignees")).status).toBe(401);
    const fanCookie = await verifiedFan(h.server, "oFanAssignees000000000000001", newPhone());
    expect((await api(h.server, "GET", "/api/console/complaints/assignees", { cookie: fanCookie })).status).toBe(401);

    const listed = await api(h.server, "GET", "/api/console/complaints/assignees", { cookie: await cookieFor(h.server, offline) });
    expect(listed.status).toBe(200);
    const byId = new Map(listed.body.agents.map((agent: { id: string }) => [agent.id, agent]));
    expect(byId.get(offline.id)).toEqual({ id: offline.id, name: "离线客服", jobNumber: offline.jobNumber, role: "agent" });
    expect(byId.has(away.id)).toBe(true);
    expect(byId.has(gone.id)).toBe(false);
  });

  it("a supervisor assigns a fan's complaint to an offline agent, who then sees it as theirs", async () => {
    const offline = await makeAgent(h.server, { role: "agent", status: "offline" });
    const supervisor = await makeAgent(h.server, { role: "supervisor", status: "offline" });
    const fanCookie = await verifiedFan(h.server, "oFanAssignees000000000000002", newPhone());
    const filed = await api(h.server, "POST", "/api/fan/complaints", { cookie: fanCookie, body: { category: "complaint", content: "楼道水表箱漏水，请尽快处理。" } });
    expect(filed.status).toBe(201);
    const id = filed.body.complaint.id;

    const assigned = await api(h.server, "POST", `/api/console/complaints/${id}/accept`, { cookie: await cookieFor(h.server, supervisor), body: { assigneeId: offline.id } });
    expect(assigned.status).toBe(200);
    expect(assigned.body.complaint).toMatchObject({ status: "accepted", assigneeId: offline.id });
    const mine = await api(h.server, "GET", "/api/console/complaints?assignee=me", { cookie: await cookieFor(h.server, offline) });
    expect(mine.body.complaints.map((row: { id: string }) => row.id)).toEqual([id]);
  });
});
