import {
  api,
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

/** The agent's tools: leave-messages, quick replies, history, the customer profile, image upload, settings. */
describe("agent tools (MariaDB + Redis)", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness("convtools");
  });

  afterAll(async () => {
    await h?.close();
  });

  const server = () => h.server;
  const query = (sql: string, params: unknown[] = []) => h.server.dataSource.query(sql, params);

  it("leave-messages: unread badge, mark read, reply within the window (refused after), mark handled once", async () => {
    await h.server.settings.set("service.hoursStart", "08:30");
    await h.server.settings.set("service.hoursEnd", "21:30");
    const realNow = h.clock.now();
    const night = new Date(realNow);
    night.setUTCHours(16, 0, 0, 0); // 00:00 China time
    h.clock.set(night);
    const openid = follower(h.fake, "oToolsLeave01");
    const other = follower(h.fake, "oToolsLeave02");
    expect(replyText(await fanSays(h, openid, "夜里水管爆了"))).toContain("非人工服务时间");
    await fanSays(h, other, "明天几点上班");
    h.clock.set(realNow);
    await h.server.settings.set("service.hoursStart", "00:00");
    await h.server.settings.set("service.hoursEnd", "24:00");

    const agent = await makeAgent(server());
    const colleague = await makeAgent(server());
    const list = await api(server(), "GET", "/api/console/leave-messages", { cookie: agent.cookie });
    expect(list.body.unreadCount).toBe(2);
    const item = list.body.items.find((i: { fan: { openid: string } }) => i.fan.openid === openid);
    expect(item).toMatchObject({ content: "夜里水管爆了", read: false, handled: false, canReply: true });

    expect((await api(server(), "POST", `/api/console/leave-messages/${item.id}/read`, { cookie: agent.cookie })).body).toEqual({ unreadCount: 1 });
    const replied = await api(server(), "POST", `/api/console/leave-messages/${item.id}/reply`, { cookie: agent.cookie, body: { content: "您好，抢修已安排" } });
    expect(replied.status).toBe(201);
    expect(replied.body.leaveMessage.replies[0]).toMatchObject({ agentId: agent.id, content: "您好，抢修已安排" });
    await eventually(() => textsTo(h.fake, openid).includes("您好，抢修已安排"));

    const handled = await api(server(), "POST", `/api/console/leave-messages/${item.id}/handle`, { cookie: agent.cookie });
    expect(handled.body.leaveMessage).toMatchObject({ handled: true, handledBy: agent.id });
    const again = await api(server(), "POST", `/api/console/leave-messages/${item.id}/handle`, { cookie: colleague.cookie });
    expect(again.body.leaveMessage.handledBy).toBe(agent.id);
    const unhandled = await api(server(), "GET", "/api/console/leave-messages?status=unhandled", { cookie: agent.cookie });
    expect(unhandled.body.items.map((i: { id: string }) => i.id)).not.toContain(item.id);

    const late = unhandled.body.items.find((i: { fan: { openid: string } }) => i.fan.openid === other);
    await fanLastWroteAt(server(), other, new Date(h.clock.now().getTime() - 49 * 3600_000));
    const refused = await api(server(), "POST", `/api/console/leave-messages/${late.id}/reply`, { cookie: agent.cookie, body: { content: "您好" } });
    expect(refused.body.error.code).toBe("window_closed");
    expect((await api(server(), "POST", "/api/console/leave-messages/read", { cookie: agent.cookie, body: {} })).body).toEqual({ unreadCount: 0 });
  });

  it("quick replies: personal and team categories, ordering, search; team ones only for supervisors to edit", async () => {
    const agent = await makeAgent(server());
    const colleague = await makeAgent(server());
    const supervisor = await makeAgent(server(), { role: "supervisor" });
    const post = (cookie: string, path: string, body: unknown) => api(server(), "POST", `/api/console/quick-replies${path}`, { cookie, body });

    expect((await post(agent.cookie, "/categories", { scope: "team", name: "团队" })).status).toBe(403);
    const team = (await post(supervisor.cookie, "/categories", { scope: "team", name: "缴费" })).body.category;
    const mine = (await post(agent.cookie, "/categories", { scope: "personal", name: "我的常用" })).body.category;
    expect(mine).toMatchObject({ scope: "personal", editable: true });

    const contents = ["您好，请问有什么可以帮您？", "请提供您的户号", "感谢您的耐心等待"];
    const replies = [];
    for (const content of contents) replies.push((await post(agent.cookie, "", { categoryId: mine.id, content })).body.reply);
    await post(supervisor.cookie, "", { categoryId: team.id, title: "缴费方式", content: "可通过菜单“缴费”在线缴纳水费" });
    expect((await post(agent.cookie, "", { categoryId: team.id, content: "我改不了团队的" })).status).toBe(403);

    const moved = await post(agent.cookie, `/${replies[2].id}/move`, { to: "top" });
    expect(moved.body.replies.map((r: { content: string }) => r.content)).toEqual([contents[2], contents[0], contents[1]]);
    await post(agent.cookie, `/${replies[0].id}/move`, { to: "down" });
    const listed = await api(server(), "GET", "/api/console/quick-replies", { cookie: agent.cookie });
    expect(listed.body.personal[0].replies.map((r: { content: string }) => r.content)).toEqual([contents[2], contents[1], contents[0]]);
    expect(listed.body.team.find((c: { id: string }) => c.id === team.id)).toMatchObject({ editable: false, replies: [{ title: "缴费方式" }] });

    const search = await api(server(), "GET", `/api/console/quick-replies?q=${encodeURIComponent("户号")}`, { cookie: agent.cookie });
    expect(search.body.personal.flatMap((c: { replies: { content: string }[] }) => c.replies.map((r) => r.content))).toEqual(["请提供您的户号"]);
    expect(search.body.team).toEqual([]);

    // Someone else's personal replies are invisible, not merely read-only.
    expect((await api(server(), "PATCH", `/api/console/quick-replies/${replies[0].id}`, { cookie: colleague.cookie, body: { content: "改掉" } })).status).toBe(404);
    expect((await api(server(), "GET", "/api/console/quick-replies", { cookie: colleague.cookie })).body.personal).toEqual([]);
    expect((await api(server(), "DELETE", `/api/console/quick-replies/categories/${mine.id}`, { cookie: agent.cookie })).status).toBe(204);
  });

  it("history: search by time, fan, agent and keyword; agents see only conversations they served", async () => {
    const one = await makeAgent(server(), { name: "赵一", settings: { greeting: "" } });
    const two = await makeAgent(server(), { name: "钱二", settings: { greeting: "" } });
    const supervisor = await makeAgent(server(), { role: "supervisor" });
    const start = new Date(h.clock.now().getTime() - 1000);

    const first = await waitingConversationOf(h, follower(h.fake, "oToolsHist001"), "水表读数不对");
    await api(server(), "POST", `/api/console/conversations/${first}/accept`, { cookie: one.cookie });
    h.clock.advance(90_000);
    await api(server(), "POST", `/api/console/conversations/${first}/close`, { cookie: one.cookie, body: { outcome: "resolved" } });
    const second = await waitingConversationOf(h, follower(h.fake, "oToolsHist002"), "发票怎么开");
    await api(server(), "POST", `/api/console/conversations/${second}/accept`, { cookie: two.cookie });
    await api(server(), "POST", `/api/console/conversations/${second}/close`, { cookie: two.cookie, body: { outcome: "refused", reason: "非本公司业务" } });

    const own = await api(server(), "GET", `/api/console/history?from=${start.toISOString()}`, { cookie: one.cookie });
    expect(own.body.items.map((item: { id: string }) => item.id)).toEqual([first]);
    expect(own.body.items[0]).toMatchObject({ acceptedBy: { id: one.id, name: "赵一" }, closedBy: { id: one.id }, outcome: "resolved", durationMs: expect.any(Number) });
    expect(own.body.items[0].durationMs).toBeGreaterThanOrEqual(90_000);
    expect((await api(server(), "GET", `/api/console/history/${second}`, { cookie: one.cookie })).status).toBe(403);
    expect((await api(server(), "GET", `/api/console/history/${first}`, { cookie: one.cookie })).body.messages.length).toBeGreaterThan(0);

    const all = await api(server(), "GET", `/api/console/history?from=${start.toISOString()}`, { cookie: supervisor.cookie });
    expect(all.body.items.map((item: { id: string }) => item.id).sort()).toEqual([first, second].sort());
    const byKeyword = await api(server(), "GET", `/api/console/history?keyword=${encodeURIComponent("发票")}`, { cookie: supervisor.cookie });
    expect(byKeyword.body.items.map((item: { id: string }) => item.id)).toEqual([second]);
    const byAgent = await api(server(), "GET", `/api/console/history?agentId=${one.id}`, { cookie: supervisor.cookie });
    expect(byAgent.body.items.map((item: { id: string }) => item.id)).toEqual([first]);
    const byFan = await api(server(), "GET", "/api/console/history?fan=oToolsHist002", { cookie: supervisor.cookie });
    expect(byFan.body.items.map((item: { id: string }) => item.id)).toEqual([second]);
    const none = await api(server(), "GET", `/api/console/history?to=${start.toISOString()}&keyword=${encodeURIComponent("100%_")}`, { cookie: supervisor.cookie });
    expect(none.body).toMatchObject({ items: [], total: 0 });
  });

  it("customer profile: edits remark, tags and notes; lists past conversations", async () => {
    const agent = await makeAgent(server(), { settings: { greeting: "" } });
    const openid = follower(h.fake, "oToolsProf001");
    const id = await waitingConversationOf(h, openid);
    const updated = await api(server(), "PATCH", `/api/console/customers/${openid}`, {
      cookie: agent.cookie,
      body: { remark: "幸福小区张先生", tags: ["老用户", "独居老人", "老用户"], notes: "听力不好，请多用文字" },
    });
    expect(updated.body.fan).toMatchObject({ remark: "幸福小区张先生", tags: ["老用户", "独居老人"], notes: "听力不好，请多用文字" });
    const profile = await api(server(), "GET", `/api/console/customers/${openid}`, { cookie: agent.cookie });
    expect(profile.body).toMatchObject({ fan: { openid, remark: "幸福小区张先生" }, waterAccounts: [], conversationCount: 1 });
    expect(profile.body.conversations.map((c: { id: string }) => c.id)).toEqual([id]);
    const waiting = await api(server(), "GET", "/api/console/conversations/waiting", { cookie: agent.cookie });
    expect(waiting.body.conversations.find((c: { id: string }) => c.id === id).fan).toMatchObject({ remark: "幸福小区张先生", tags: ["老用户", "独居老人"] });
    expect((await api(server(), "GET", "/api/console/customers/nobody-here-000", { cookie: agent.cookie })).status).toBe(404);
    expect((await api(server(), "PATCH", `/api/console/customers/${openid}`, { body: { remark: "x" } })).status).toBe(401);
  });

  it("uploads an image as WeChat media (≤ 2 MB, real image bytes) and sends it in a conversation", async () => {
    const agent = await makeAgent(server(), { settings: { greeting: "" } });
    const png = Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5b3e6f60000000049454e44ae426082", "hex");
    const uploaded = await api(server(), "POST", "/api/console/media", { cookie: agent.cookie, body: { fileName: "现场.png", contentType: "image/png", dataBase64: png.toString("base64") } });
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toMatchObject({ mediaId: expect.any(String), contentType: "image/png" });

    const notImage = await api(server(), "POST", "/api/console/media", { cookie: agent.cookie, body: { fileName: "a.png", contentType: "image/png", dataBase64: Buffer.from("hello").toString("base64") } });
    expect(notImage.body.error.code).toBe("image_unsupported");
    const big = Buffer.concat([png, Buffer.alloc(2 * 1024 * 1024)]);
    expect((await api(server(), "POST", "/api/console/media", { cookie: agent.cookie, body: { fileName: "big.png", contentType: "image/png", dataBase64: big.toString("base64") } })).status).toBe(413);

    const openid = follower(h.fake, "oToolsImage01");
    const id = await waitingConversationOf(h, openid);
    await api(server(), "POST", `/api/console/conversations/${id}/accept`, { cookie: agent.cookie });
    const sent = await api(server(), "POST", `/api/console/conversations/${id}/messages`, { cookie: agent.cookie, body: { kind: "image", mediaId: uploaded.body.mediaId } });
    expect(sent.body.message).toMatchObject({ kind: "image", media: { mediaId: uploaded.body.mediaId } });
    const image = await eventually(() => h.fake.state.messagesTo(openid).find((m) => m.kind === "custom" && m.msgType === "image"));
    expect((image.body as { image: { media_id: string } }).image.media_id).toBe(uploaded.body.mediaId);
  });

  it("admin settings: reads defaults, saves valid values, refuses a close timer not after the reminder", async () => {
    const admin = await makeAgent(server(), { role: "admin" });
    const agent = await makeAgent(server());
    expect((await api(server(), "GET", "/api/console/settings/conversation", { cookie: agent.cookie })).status).toBe(403);
    const read = await api(server(), "GET", "/api/console/settings/conversation", { cookie: admin.cookie });
    expect(read.body.defaults).toMatchObject({ "service.hoursStart": "08:30", "service.hoursEnd": "21:30", "conversation.timers.releaseMinutes": 30 });

    const saved = await api(server(), "PUT", "/api/console/settings/conversation", {
      cookie: admin.cookie,
      body: { "conversation.queuedText": "请稍候，客服马上就来", "conversation.timers.agentAlertMinutes": 3, "conversation.transferNotice.enabled": false },
    });
    expect(saved.body.values).toMatchObject({ "conversation.queuedText": "请稍候，客服马上就来", "conversation.timers.agentAlertMinutes": 3, "conversation.transferNotice.enabled": false });
    expect(replyText(await fanSays(h, follower(h.fake, "oToolsSett001"), "人工"))).toBe("请稍候，客服马上就来");

    const bad = await api(server(), "PUT", "/api/console/settings/conversation", { cookie: admin.cookie, body: { "conversation.timers.autoCloseMinutes": 4 } });
    expect(bad.body.error.message).toBe("自动结束时间必须大于粉丝未回复提醒时间");
    const badTime = await api(server(), "PUT", "/api/console/settings/conversation", { cookie: admin.cookie, body: { "service.hoursStart": "8点" } });
    expect(badTime.body.error.message).toContain("HH:MM");
    expect((await api(server(), "PUT", "/api/console/settings/conversation", { cookie: admin.cookie, body: { "welcome.text": "x" } })).status).toBe(400);
  });
});
