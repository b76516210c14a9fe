import { newId } from "../src/infra/ids";
import { AGENT_STATUS_SERVICE, type AgentStatusService } from "../src/modules/agents/agentStatus";
import type { RunningServer } from "../src/server";
import {
  api,
  conversations,
  eventually,
  fanLastWroteAt,
  fanSays,
  follower,
  makeAgent,
  replyText,
  startHarness,
  textsTo,
  waitingConversationOf,
  type Harness,
} from "./conversationsHelpers";

const MIN = 60_000;

/** Accept, re-accept, replies and the 48-hour window, timers, transfers, closing and ratings — two instances sharing MariaDB + Redis. */
describe("conversation commands (two instances on MariaDB + Redis)", () => {
  let h: Harness;
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    h = await startHarness("convcmd", 2);
    [a, b] = h.servers;
  });

  afterAll(async () => {
    await h?.close();
  });

  const query = (sql: string, params: unknown[] = []) => a.dataSource.query(sql, params);
  const conversationRow = async (id: string) => (await query("SELECT * FROM conversation WHERE id = ?", [id]))[0];
  const accept = (server: RunningServer, cookie: string, id: string) => api(server, "POST", `/api/console/conversations/${id}/accept`, { cookie });
  const send = (cookie: string, id: string, content: string, server = a) =>
    api(server, "POST", `/api/console/conversations/${id}/messages`, { cookie, body: { kind: "text", content } });
  const tick = () => conversations(a).jobs.runTimersOnce({ waitForLock: true });
  let fanCounter = 0;
  const newFan = () => `oCmdFan${String(++fanCounter).padStart(5, "0")}`;

  it("two agents racing to accept the same conversation: exactly one wins, the other gets 409 in Chinese", async () => {
    const one = await makeAgent(a, { name: "一号", settings: { greeting: "您好，我是一号" } });
    const two = await makeAgent(a, { name: "二号", settings: { greeting: "您好，我是二号" } });
    for (let round = 0; round < 5; round++) {
      const openid = newFan();
      const id = await waitingConversationOf(h, openid);
      const [first, second] = await Promise.all([accept(a, one.cookie, id), accept(b, two.cookie, id)]);
      expect([first.status, second.status].sort()).toEqual([200, 409]);
      const [winner, loser] = first.status === 200 ? [one, second] : [two, first];
      expect(loser.body.error).toMatchObject({ code: "already_taken", message: "该会话已被其他客服接入" });
      expect(await conversationRow(id)).toMatchObject({ status: "active", agent_id: winner.id });
      expect(await query("SELECT COUNT(*) AS n FROM conversation_event WHERE conversation_id = ? AND type = 'accepted'", [id])).toEqual([{ n: "1" }]);
      // The winner's greeting, and only theirs, reaches the fan.
      await eventually(() => textsTo(h.fake, openid).length > 0);
      expect(textsTo(h.fake, openid)).toEqual([winner.settings.greeting]);
      expect(h.pushes.some((p) => p.event === "conversation:assigned" && p.target === `agent:${winner.id}` && p.payload.id === id)).toBe(true);
      expect(h.pushes.some((p) => p.event === "queue:removed" && p.target === "agents" && p.payload.id === id)).toBe(true);
    }
  });

  it("an agent cannot read or reply in another agent's conversation; a supervisor can watch it but not reply", async () => {
    const owner = await makeAgent(a);
    const other = await makeAgent(a);
    const supervisor = await makeAgent(a, { role: "supervisor" });
    const id = await waitingConversationOf(h, newFan());
    expect((await accept(a, owner.cookie, id)).status).toBe(200);

    const read = await api(b, "GET", `/api/console/conversations/${id}`, { cookie: other.cookie });
    expect(read.status).toBe(403);
    expect(read.body.error.message).toBe("无权查看该会话");
    expect((await send(other.cookie, id, "我来回复", b)).body.error).toMatchObject({ code: "not_your_conversation" });
    expect((await api(a, "POST", `/api/console/conversations/${id}/close`, { cookie: other.cookie, body: { outcome: "resolved" } })).status).toBe(403);
    expect((await api(a, "GET", `/api/console/history/${id}`, { cookie: other.cookie })).status).toBe(403);
    const othersList = await api(a, "GET", "/api/console/conversations", { cookie: other.cookie });
    expect(othersList.body.conversations.map((c: { id: string }) => c.id)).not.toContain(id);

    const watched = await api(a, "GET", `/api/console/conversations/${id}`, { cookie: supervisor.cookie });
    expect(watched.status).toBe(200);
    expect(watched.body.readOnly).toBe(true);
    expect(watched.body.messages.some((m: { direction: string }) => m.direction === "in")).toBe(true);
    expect((await send(supervisor.cookie, id, "组长代答")).status).toBe(403);

    const own = await api(a, "GET", `/api/console/conversations/${id}`, { cookie: owner.cookie });
    expect(own.body).toMatchObject({ readOnly: false, conversation: { id, status: "active", agentId: owner.id } });
  });

  it("sends the agent's reply through the outbox and shows its delivery, unread counts and the window", async () => {
    const agent = await makeAgent(a, { settings: { greeting: "" } });
    const openid = newFan();
    const id = await waitingConversationOf(h, openid);
    await accept(a, agent.cookie, id);
    await fanSays(h, openid, "还有一个问题");
    const mine = await api(a, "GET", "/api/console/conversations", { cookie: agent.cookie });
    const listed = mine.body.conversations.find((c: { id: string }) => c.id === id);
    expect(listed.unreadCount).toBe(2);
    expect(listed.windowRemainingMs).toBeGreaterThan(47 * 60 * MIN);
    expect(listed.lastMessage).toMatchObject({ direction: "in", preview: "还有一个问题" });

    const sent = await send(agent.cookie, id, "您好，抢修人员已出发");
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ direction: "out", kind: "text", agentId: agent.id, delivery: { status: "pending" } });
    await eventually(() => textsTo(h.fake, openid).includes("您好，抢修人员已出发"));
    const detail = await eventually(async () => {
      const response = await api(a, "GET", `/api/console/conversations/${id}`, { cookie: agent.cookie });
      const out = response.body.messages.find((m: { id: string }) => m.id === sent.body.message.id);
      return out.delivery.status === "sent" ? response : undefined;
    });
    expect(detail.body.conversation.unreadCount).toBe(0);
    expect(h.pushes.some((p) => p.event === "conversation:message" && p.target === `agent:${agent.id}` && p.payload.message.content === "还有一个问题")).toBe(true);
  });

  it("refuses a reply 48 hours after the fan's last message (window_closed) and sends the fallback template instead", async () => {
    const agent = await makeAgent(a, { settings: { greeting: "" } });
    const admin = await makeAgent(a, { role: "admin" });
    const openid = newFan();
    const id = await waitingConversationOf(h, openid);
    await accept(a, agent.cookie, id);
    await fanLastWroteAt(a, openid, new Date(h.clock.now().getTime() - 49 * 60 * MIN));

    const refused = await send(agent.cookie, id, "还在吗");
    expect(refused.status).toBe(409);
    expect(refused.body.error).toEqual({ code: "window_closed", message: "粉丝最后一次互动已超过48小时，无法发送客服消息，请改用模板消息" });
    const listed = (await api(a, "GET", "/api/console/conversations", { cookie: agent.cookie })).body.conversations.find((c: { id: string }) => c.id === id);
    expect(listed.windowRemainingMs).toBe(0);

    const unconfigured = await api(a, "POST", `/api/console/conversations/${id}/template`, { cookie: agent.cookie, body: { content: "您的报修已处理完毕" } });
    expect(unconfigured.body.error.code).toBe("template_not_configured");
    const saved = await api(a, "PUT", "/api/console/settings/conversation", { cookie: admin.cookie, body: { "conversation.fallbackTemplate.id": "TPL_SERVICE_NOTICE" } });
    expect(saved.body.values["conversation.fallbackTemplate.id"]).toBe("TPL_SERVICE_NOTICE");

    const template = await api(a, "POST", `/api/console/conversations/${id}/template`, { cookie: agent.cookie, body: { content: "您的报修已处理完毕，如有问题请随时再联系我们" } });
    expect(template.status).toBe(201);
    expect(template.body.message).toMatchObject({ kind: "template", content: "您的报修已处理完毕，如有问题请随时再联系我们" });
    const delivered = await eventually(() => h.fake.state.templateMessages.find((m) => m.toUser === openid));
    expect(delivered).toMatchObject({ templateId: "TPL_SERVICE_NOTICE" });
    expect((delivered.body as { data: Record<string, { value: string }> }).data.thing1.value).toBe("您的报修已处理完毕，如有问题请随时再联…");
  });

  it("releases a conversation idle for 30 minutes; only its agent may re-accept it before anyone can reply", async () => {
    const owner = await makeAgent(a, { settings: { greeting: "" } });
    const other = await makeAgent(a);
    const openid = newFan();
    const id = await waitingConversationOf(h, openid);
    await accept(a, owner.cookie, id);
    h.clock.advance(29 * MIN);
    await tick();
    expect((await conversationRow(id)).status).toBe("active");
    h.clock.advance(MIN);
    await tick();
    expect((await conversationRow(id)).status).toBe("expired");
    expect(h.pushes.some((p) => p.event === "conversation:released" && p.target === `agent:${owner.id}` && p.payload.id === id)).toBe(true);

    expect((await send(owner.cookie, id, "您好")).body.error).toEqual({ code: "conversation_expired", message: "会话已超时，请重新接入" });
    expect((await accept(a, other.cookie, id)).body.error.code).toBe("not_your_conversation");
    const again = await accept(b, owner.cookie, id);
    expect(again.status).toBe(200);
    expect(again.body.conversation).toMatchObject({ status: "active", agentId: owner.id });
    expect((await send(owner.cookie, id, "您好，我回来了")).status).toBe(201);
    expect(await query("SELECT type FROM conversation_event WHERE conversation_id = ? ORDER BY at, id", [id])).toEqual([
      { type: "queued" },
      { type: "accepted" },
      { type: "alerted" },
      { type: "released" },
      { type: "reaccepted" },
    ]);
  });

  it("puts an expired conversation back in the queue on the fan's next message, keeping the previous agent", async () => {
    const owner = await makeAgent(a, { settings: { greeting: "" } });
    const other = await makeAgent(a, { settings: { greeting: "" } });
    const openid = newFan();
    const id = await waitingConversationOf(h, openid);
    await accept(a, owner.cookie, id);
    h.clock.advance(31 * MIN);
    await tick();
    const response = await fanSays(h, openid, "我又来了");
    expect(replyText(response)).toContain("人工客服");
    expect(await conversationRow(id)).toMatchObject({ status: "waiting", agent_id: null, previous_agent_id: owner.id });
    const waiting = await api(a, "GET", "/api/console/conversations/waiting", { cookie: other.cookie });
    expect(waiting.body.conversations.find((c: { id: string }) => c.id === id)).toMatchObject({ previousAgentId: owner.id, previousAgentName: owner.name });
    expect((await accept(a, other.cookie, id)).status).toBe(200);
  });

  it("alerts once after 5 unanswered minutes, lets a group colleague take over, reminds the silent fan at 5 and closes at 8", async () => {
    const groupId = newId();
    const owner = await makeAgent(a, { groupId, settings: { greeting: "" } });
    const colleague = await makeAgent(a, { groupId, settings: { greeting: "" } });
    const outsider = await makeAgent(a);
    const openid = newFan();
    const id = await waitingConversationOf(h, openid);
    await accept(a, owner.cookie, id);
    expect((await api(a, "POST", `/api/console/conversations/${id}/take-over`, { cookie: colleague.cookie })).status).toBe(409);

    h.clock.advance(5 * MIN);
    await tick();
    const alerts = h.pushes.filter((p) => p.event === "alert" && p.payload.conversationId === id);
    expect(alerts.map((p) => p.target).sort()).toEqual([`agent:${owner.id}`, `group:${groupId}`, "supervisors"].sort());
    h.clock.advance(MIN);
    await tick();
    expect(h.pushes.filter((p) => p.event === "alert" && p.payload.conversationId === id)).toHaveLength(3);

    expect((await api(a, "POST", `/api/console/conversations/${id}/take-over`, { cookie: outsider.cookie })).status).toBe(403);
    const taken = await api(a, "POST", `/api/console/conversations/${id}/take-over`, { cookie: colleague.cookie });
    expect(taken.body.conversation).toMatchObject({ agentId: colleague.id, status: "active" });

    expect((await send(colleague.cookie, id, "您好，我来为您处理")).status).toBe(201);
    h.clock.advance(5 * MIN);
    await tick();
    await eventually(() => textsTo(h.fake, openid).some((text) => text.startsWith("您好，请问还有其他问题")));
    h.clock.advance(3 * MIN);
    await tick();
    expect(await conversationRow(id)).toMatchObject({ status: "closed", outcome: "timeout", closed_by: "system", open_fan_openid: null });
    await eventually(() => textsTo(h.fake, openid).some((text) => text.startsWith("由于您长时间未回复")));
  });

  it("closing as resolved asks for a rating; the fan's reply of 5 records it, and the link then shows it", async () => {
    const agent = await makeAgent(a, { settings: { greeting: "" } });
    const openid = newFan();
    const id = await waitingConversationOf(h, openid);
    await accept(a, agent.cookie, id);
    const closed = await api(a, "POST", `/api/console/conversations/${id}/close`, { cookie: agent.cookie, body: { outcome: "resolved" } });
    expect(closed.body.conversation).toMatchObject({ status: "closed", outcome: "resolved", closedBy: agent.id });
    const request = await eventually(() => textsTo(h.fake, openid).find((text) => text.includes("回复数字 1–5")));
    const link = /(http\S+\/rate\/([A-Za-z0-9_-]+))/.exec(request)!;
    expect(link[1].startsWith(`${a.config.publicUrl}/rate/`)).toBe(true);

    expect(replyText(await fanSays(h, openid, "5"))).toBe("感谢您的评价，祝您生活愉快！");
    expect(await conversationRow(id)).toMatchObject({ rating: 5 });
    expect(await query("SELECT COUNT(*) AS n FROM conversation WHERE fan_openid = ? AND status <> 'closed'", [openid])).toEqual([{ n: "0" }]);
    expect(h.pushes.some((p) => p.event === "conversation:updated" && p.target === `agent:${agent.id}` && p.payload.rating === 5)).toBe(true);

    const page = await api(a, "GET", `/rate/${link[2]}`);
    expect(page.body).toContain("感谢您的评价");
    expect((await api(a, "POST", `/rate/${link[2]}`, { body: { score: 1 } })).body.error.code).toBe("already_rated");
    expect((await api(a, "GET", "/rate/not-a-real-token-000000")).status).toBe(404);
  });

  it("asks for a rating during the conversation (索要评分) and records a score given on the page", async () => {
    const agent = await makeAgent(a, { settings: { greeting: "" } });
    const openid = newFan();
    const id = await waitingConversationOf(h, openid);
    await accept(a, agent.cookie, id);
    expect((await api(a, "POST", `/api/console/conversations/${id}/rating-request`, { cookie: agent.cookie })).status).toBe(200);
    const request = await eventually(() => textsTo(h.fake, openid).find((text) => text.includes("/rate/")));
    const token = /\/rate\/([A-Za-z0-9_-]+)/.exec(request)![1];
    expect((await api(a, "GET", `/rate/${token}`)).body).toContain("请为本次客服服务评价");
    const posted = await fetch(`${a.url}/rate/${token}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "score=4", redirect: "manual" });
    expect(posted.status).toBe(303);
    expect(await conversationRow(id)).toMatchObject({ rating: 4, status: "active" });
    const trail = await query("SELECT kind, detail FROM fan_trail WHERE openid = ?", [openid]);
    expect(trail.map((row: { kind: string }) => row.kind)).toContain("rating");
  });

  it("closing as unresolved files a complaint with the transcript; refusing needs a reason, kept for audit", async () => {
    const agent = await makeAgent(a, { name: "王客服", settings: { greeting: "" } });
    const openid = newFan();
    const id = await waitingConversationOf(h, openid, "水压太低，洗不了澡");
    // The transcript names the fan as agents see them: the nickname fetched from WeChat (the fake's is the openid).
    await eventually(async () => (await query("SELECT nickname FROM fan WHERE openid = ?", [openid]))[0]?.nickname === openid);
    await accept(a, agent.cookie, id);
    await send(agent.cookie, id, "已记录，稍后安排人员");
    const closed = await api(a, "POST", `/api/console/conversations/${id}/close`, { cookie: agent.cookie, body: { outcome: "unresolved", reason: "需现场检修" } });
    const complaintId = closed.body.conversation.complaintId;
    expect(complaintId).toBeTruthy();
    const [complaint] = await query("SELECT * FROM complaint WHERE id = ?", [complaintId]);
    expect(complaint).toMatchObject({ fan_openid: openid, source: "conversation", conversation_id: id, status: "submitted", content: "需现场检修" });
    const transcript = JSON.parse(complaint.transcript);
    expect(transcript.map((line: { speaker: string; content: string }) => [line.speaker, line.content])).toEqual(
      expect.arrayContaining([
        [openid, "水压太低，洗不了澡"],
        ["王客服", "已记录，稍后安排人员"],
      ]),
    );
    const profile = await api(a, "GET", `/api/console/customers/${openid}`, { cookie: agent.cookie });
    expect(profile.body.complaints.map((c: { id: string }) => c.id)).toEqual([complaintId]);

    const second = await waitingConversationOf(h, newFan());
    await accept(a, agent.cookie, second);
    const noReason = await api(a, "POST", `/api/console/conversations/${second}/close`, { cookie: agent.cookie, body: { outcome: "refused" } });
    expect(noReason.body.error).toEqual({ code: "reason_required", message: "拒绝服务必须填写原因" });
    expect((await conversationRow(second)).status).toBe("active");
    await api(a, "POST", `/api/console/conversations/${second}/close`, { cookie: agent.cookie, body: { outcome: "refused", reason: "与业务无关的骚扰" } });
    expect(await conversationRow(second)).toMatchObject({ status: "closed", outcome: "refused", outcome_reason: "与业务无关的骚扰" });
    expect(await query("SELECT detail FROM conversation_event WHERE conversation_id = ? AND type = 'closed'", [second])).toEqual([
      { detail: expect.stringContaining("与业务无关的骚扰") },
    ]);
  });

  it("transfers to an online colleague (the fan is told), refuses an offline one, and lets supervisors dispatch and force-transfer", async () => {
    const from = await makeAgent(a, { settings: { greeting: "" } });
    const to = await makeAgent(a, { name: "李工", settings: { greeting: "" } });
    const away = await makeAgent(a, { status: "offline" });
    const supervisor = await makeAgent(a, { role: "supervisor" });
    const openid = newFan();
    const id = await waitingConversationOf(h, openid);
    await accept(a, from.cookie, id);

    const offline = await api(a, "POST", `/api/console/conversations/${id}/transfer`, { cookie: from.cookie, body: { toAgentId: away.id } });
    expect(offline.body.error.code).toBe("agent_not_online");
    const moved = await api(a, "POST", `/api/console/conversations/${id}/transfer`, { cookie: from.cookie, body: { toAgentId: to.id, note: "水表问题" } });
    expect(moved.body.conversation).toMatchObject({ agentId: to.id, status: "active" });
    expect(h.pushes.some((p) => p.event === "conversation:assigned" && p.target === `agent:${to.id}` && p.payload.id === id)).toBe(true);
    await eventually(() => textsTo(h.fake, openid).includes("您的会话已转接给客服李工，请稍候。"));
    expect((await send(from.cookie, id, "我还能回复吗")).status).toBe(403);

    // A supervisor takes it back to the first agent without asking (forced), and dispatches a waiting one.
    const forced = await api(a, "POST", `/api/console/conversations/${id}/transfer`, { cookie: supervisor.cookie, body: { toAgentId: from.id } });
    expect(forced.body.conversation.agentId).toBe(from.id);
    const waiting = await waitingConversationOf(h, newFan());
    expect((await api(a, "POST", `/api/console/conversations/${waiting}/dispatch`, { cookie: from.cookie, body: { toAgentId: to.id } })).status).toBe(403);
    const dispatched = await api(a, "POST", `/api/console/conversations/${waiting}/dispatch`, { cookie: supervisor.cookie, body: { toAgentId: to.id } });
    expect(dispatched.body.conversation).toMatchObject({ status: "active", agentId: to.id });

    const history = await api(a, "GET", `/api/console/history?status=all&fan=${openid}`, { cookie: supervisor.cookie });
    expect(history.body.items[0].transfers.map((t: { to: { id: string }; forced: boolean }) => [t.to.id, t.forced])).toEqual([
      [to.id, false],
      [from.id, true],
    ]);
  });

  it("releases an agent's conversations when they go offline", async () => {
    const agent = await makeAgent(a, { settings: { greeting: "" } });
    const id = await waitingConversationOf(h, newFan());
    await accept(a, agent.cookie, id);
    const status = a.context.services.get(AGENT_STATUS_SERVICE) as AgentStatusService;
    await status.setStatus(agent.id, "offline", "logout");
    expect((await conversationRow(id)).status).toBe("expired");
    expect(await query("SELECT detail FROM conversation_event WHERE conversation_id = ? AND type = 'released'", [id])).toEqual([{ detail: JSON.stringify({ reason: "agent_logout" }) }]);
  });

  it("tells the agent when WeChat refuses a reply, and the transcript shows why", async () => {
    const agent = await makeAgent(a, { settings: { greeting: "" } });
    const openid = newFan();
    const id = await waitingConversationOf(h, openid);
    await accept(a, agent.cookie, id);
    await eventually(async () => (await query("SELECT COUNT(*) AS n FROM outbox_message WHERE status IN ('pending', 'sending')"))[0].n === "0");
    h.fake.state.failNext("/cgi-bin/message/custom/send", { errcode: 43004, times: 1 });
    const sent = await send(agent.cookie, id, "这条会失败");
    const failure = await eventually(() => h.pushes.find((p) => p.event === "delivery:failed" && p.payload.messageId === sent.body.message.id));
    expect(failure).toMatchObject({ target: `agent:${agent.id}`, payload: { conversationId: id, errcode: 43004, status: "failed" } });
    expect(failure.payload.reason).toContain("43004");
    const detail = await api(a, "GET", `/api/console/conversations/${id}`, { cookie: agent.cookie });
    expect(detail.body.messages.find((m: { id: string }) => m.id === sent.body.message.id).delivery).toMatchObject({ status: "failed", errcode: 43004 });
  });

  it("sends the away agent's away reply to fans in their conversations, once per away spell", async () => {
    const agent = await makeAgent(a, { settings: { greeting: "", awayReply: "客服暂时离开，马上回来" } });
    const openid = newFan();
    const id = await waitingConversationOf(h, openid);
    await accept(a, agent.cookie, id);
    const status = a.context.services.get(AGENT_STATUS_SERVICE) as AgentStatusService;
    await status.setStatus(agent.id, "away");
    await fanSays(h, openid, "在吗");
    await fanSays(h, openid, "在吗？？");
    await eventually(() => textsTo(h.fake, openid).includes("客服暂时离开，马上回来"));
    expect(textsTo(h.fake, openid).filter((text) => text === "客服暂时离开，马上回来")).toHaveLength(1);
    expect((await conversationRow(id)).status).toBe("active");
  });
});
