import { Fan } from "../src/modules/fans/fan.entity";
import {
  api,
  eventually,
  fanSays,
  fanSendsXml,
  follower,
  makeAgent,
  nextMsgId,
  replyText,
  startHarness,
  type Harness,
} from "./conversationsHelpers";
import { eventXml } from "./support/wechatFan";

/** What the console shows of fans and their messages: media through the server, list previews, nicknames. */
describe("what the console shows (MariaDB + Redis)", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness("convshow");
  });

  afterAll(async () => {
    await h?.close();
  });

  const seconds = () => Math.floor(h.clock.now().getTime() / 1000);
  const mediaGets = () => h.fake.state.requestCounts.get("/cgi-bin/media/get") ?? 0;
  const userInfoGets = () => h.fake.state.requestCounts.get("/cgi-bin/user/info") ?? 0;
  const nicknameOf = async (openid: string) => (await h.server.dataSource.getRepository(Fan).findOneBy({ openid }))?.nickname ?? null;

  /** GET a media file as the browser does (bytes, not JSON). */
  async function getMedia(mediaId: string, cookie?: string) {
    const response = await fetch(`${h.server.url}/api/console/media/${mediaId}`, { headers: cookie ? { cookie } : {} });
    const data = Buffer.from(await response.arrayBuffer());
    const json = () => JSON.parse(data.toString("utf8"));
    return { status: response.status, headers: response.headers, data, json };
  }

  const imageXml = (openid: string, mediaId: string) =>
    `<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${seconds()}</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.qpic.cn/fan.jpg]]></PicUrl><MediaId><![CDATA[${mediaId}]]></MediaId><MsgId>${nextMsgId()}</MsgId></xml>`;

  describe("media", () => {
    const png = Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5b3e6f60000000049454e44ae426082", "hex");

    it("serves a picture an agent uploaded back byte for byte, privately cached, fetching it from WeChat once", async () => {
      const agent = await makeAgent(h.server);
      const uploaded = await api(h.server, "POST", "/api/console/media", { cookie: agent.cookie, body: { fileName: "现场.png", contentType: "image/png", dataBase64: png.toString("base64") } });
      expect(uploaded.status).toBe(201);

      const before = mediaGets();
      const served = await getMedia(uploaded.body.mediaId, agent.cookie);
      expect(served.status).toBe(200);
      expect(served.headers.get("content-type")).toBe("image/png");
      expect(served.headers.get("cache-control")).toMatch(/^private, max-age=\d+/);
      expect(served.headers.get("x-content-type-options")).toBe("nosniff");
      expect(served.data.equals(png)).toBe(true);

      // Another agent (any signed-in agent may look) gets it from this instance's cache.
      const colleague = await makeAgent(h.server);
      expect((await getMedia(uploaded.body.mediaId, colleague.cookie)).data.equals(png)).toBe(true);
      expect(mediaGets()).toBe(before + 1);
    });

    it("serves what fans sent: the picture (not the picUrl WeChat blocks), voice and video", async () => {
      const agent = await makeAgent(h.server);
      const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("a fan's photo of the leaking meter")]);
      const picture = h.fake.state.addMedia({ type: "image", contentType: "image/jpeg", fileName: "meter.jpg", data: jpeg });
      const openid = follower(h.fake, "oShowMedia001");
      await fanSendsXml(h, imageXml(openid, picture.mediaId));
      const [row] = await h.server.dataSource.query("SELECT media FROM conversation_message WHERE fan_openid = ? AND kind = 'image'", [openid]);
      expect(JSON.parse(row.media)).toMatchObject({ mediaId: picture.mediaId });
      const image = await getMedia(picture.mediaId, agent.cookie);
      expect(image.headers.get("content-type")).toBe("image/jpeg");
      expect(image.data.equals(jpeg)).toBe(true);

      const amr = Buffer.from("#!AMR\n|", "latin1");
      const voice = h.fake.state.addMedia({ type: "voice", contentType: "audio/amr", fileName: "voice.amr", data: amr });
      const heard = await getMedia(voice.mediaId, agent.cookie);
      expect(heard.headers.get("content-type")).toBe("audio/amr");
      expect(heard.data.equals(amr)).toBe(true);

      // media/get answers a video with a download link; the server follows it.
      const mp4 = Buffer.from("0000001866747970mp42", "latin1");
      const video = h.fake.state.addMedia({ type: "video", contentType: "video/mp4", fileName: "clip.mp4", data: mp4 });
      const watched = await getMedia(video.mediaId, agent.cookie);
      expect(watched.headers.get("content-type")).toBe("video/mp4");
      expect(watched.data.equals(mp4)).toBe(true);
    });

    it("answers an unknown or expired id with 404 媒体文件已过期, a malformed one with 404, a WeChat failure with 502", async () => {
      const agent = await makeAgent(h.server);
      const unknown = await getMedia("NoSuchMediaId_0123456789", agent.cookie);
      expect(unknown.status).toBe(404);
      expect(unknown.json()).toEqual({ error: { code: "media_expired", message: expect.stringContaining("媒体文件已过期") } });

      const malformed = await getMedia("not%20a%20media%20id!", agent.cookie);
      expect(malformed.status).toBe(404);
      expect(malformed.json().error.code).toBe("not_found");

      const picture = h.fake.state.addMedia({ type: "image", contentType: "image/png", fileName: "a.png", data: png });
      h.fake.state.failNext("/cgi-bin/media/get", { errcode: -1 });
      const failed = await getMedia(picture.mediaId, agent.cookie);
      expect(failed.status).toBe(502);
      expect(failed.json().error).toMatchObject({ code: "wechat_media_failed", message: expect.stringContaining("从微信获取媒体文件失败") });
      // A failure is not cached: the next look works.
      expect((await getMedia(picture.mediaId, agent.cookie)).data.equals(png)).toBe(true);
    });

    it("refuses anyone not signed in with 401", async () => {
      const picture = h.fake.state.addMedia({ type: "image", contentType: "image/png", fileName: "a.png", data: png });
      const anonymous = await getMedia(picture.mediaId);
      expect(anonymous.status).toBe(401);
      expect(anonymous.json().error.code).toBe("unauthorized");
    });
  });

  it("lists conversations with the fan's latest message (kind and a short preview), never an automatic reply", async () => {
    const agent = await makeAgent(h.server, { settings: { greeting: "" } });
    const openid = follower(h.fake, "oShowPreview1");
    const long = `我家水表从昨天晚上开始一直在转，${"家里没有人用水，".repeat(8)}请尽快派人来看看`;
    expect(replyText(await fanSays(h, openid, long))).toContain("人工客服");

    const waiting = await api(h.server, "GET", "/api/console/conversations/waiting", { cookie: agent.cookie });
    const queued = waiting.body.conversations.find((c: { fan: { openid: string } }) => c.fan.openid === openid);
    // The queued text went out after the fan's message: it is the last message, not the fan's.
    expect(queued.lastMessage).toMatchObject({ direction: "out", preview: expect.stringContaining("人工客服") });
    expect(queued.lastFanMessage).toEqual({ kind: "text", preview: expect.stringMatching(/^我家水表从昨天晚上开始一直在转.*…$/), at: expect.any(String) });
    expect([...queued.lastFanMessage.preview]).toHaveLength(60);
    expect(h.pushes.find((p) => p.event === "queue:added" && p.payload.id === queued.id)!.payload.lastFanMessage).toMatchObject({ kind: "text" });

    const picture = h.fake.state.addMedia({ type: "image", contentType: "image/jpeg", fileName: "p.jpg", data: Buffer.from([0xff, 0xd8, 0xff, 0xe0]) });
    h.clock.advance(1000);
    await fanSendsXml(h, imageXml(openid, picture.mediaId));
    expect((await api(h.server, "POST", `/api/console/conversations/${queued.id}/accept`, { cookie: agent.cookie })).status).toBe(200);
    h.clock.advance(1000);
    await api(h.server, "POST", `/api/console/conversations/${queued.id}/messages`, { cookie: agent.cookie, body: { kind: "text", content: "您好，马上安排师傅上门" } });

    const mine = await api(h.server, "GET", "/api/console/conversations", { cookie: agent.cookie });
    const served = mine.body.conversations.find((c: { id: string }) => c.id === queued.id);
    expect(served.lastMessage).toMatchObject({ direction: "out", preview: "您好，马上安排师傅上门" });
    expect(served.lastFanMessage).toMatchObject({ kind: "image", preview: "[图片]" });
  });

  describe("nicknames", () => {
    it("fetches a new follower's nickname from WeChat after answering the follow", async () => {
      const openid = "oShowNickFol1";
      h.fake.state.upsertFan({ openId: openid, nickname: "张阿姨", subscribed: true });
      const followed = await fanSendsXml(h, eventXml({ from: openid, event: "subscribe", createTime: seconds() }));
      expect(followed.status).toBe(200);
      expect(await eventually(async () => (await nicknameOf(openid)) ?? undefined)).toBe("张阿姨");

      // Known now: writing asks WeChat no more.
      const asked = userInfoGets();
      await fanSays(h, openid, "你好");
      await h.server.inbox.idle();
      expect(userInfoGets()).toBe(asked);
    });

    it("fetches it when a nameless fan first writes, and shows it in the waiting list at once", async () => {
      const agent = await makeAgent(h.server);
      const openid = "oShowNickMsg1";
      h.fake.state.upsertFan({ openId: openid, nickname: "李师傅 🔧", subscribed: true });
      await fanSays(h, openid, "人工");
      expect(await eventually(async () => (await nicknameOf(openid)) ?? undefined)).toBe("李师傅 🔧");
      const pushed = await eventually(() => h.pushes.find((p) => p.event === "conversation:updated" && p.payload.fan.openid === openid));
      expect(pushed).toMatchObject({ target: "agents", payload: { status: "waiting", fan: { nickname: "李师傅 🔧" } } });
      const waiting = await api(h.server, "GET", "/api/console/conversations/waiting", { cookie: agent.cookie });
      expect(waiting.body.conversations.find((c: { fan: { openid: string } }) => c.fan.openid === openid).fan.nickname).toBe("李师傅 🔧");
    });

    it("never replaces a nickname the fan already has", async () => {
      const openid = follower(h.fake, "oShowNickKep1");
      await fanSays(h, openid, "在吗");
      await eventually(async () => (await nicknameOf(openid)) ?? undefined);
      await h.server.dataSource.getRepository(Fan).update({ openid }, { nickname: "王先生" });
      h.fake.state.upsertFan({ openId: openid, nickname: "改过的昵称" });
      await fanSays(h, openid, "还在吗");
      await h.server.inbox.idle();
      expect(await nicknameOf(openid)).toBe("王先生");
    });

    it("routes the message as usual when WeChat fails, logs it, and does not ask again at once", async () => {
      const openid = "oShowNickErr1";
      h.fake.state.upsertFan({ openId: openid, nickname: "赵女士", subscribed: true });
      h.fake.state.failNext("/cgi-bin/user/info", { errcode: -1 });
      const asked = userInfoGets();
      expect(replyText(await fanSays(h, openid, "家里停水了"))).toContain("人工客服");
      await eventually(() => userInfoGets() > asked);
      const [conversation] = await h.server.dataSource.query("SELECT status FROM conversation WHERE fan_openid = ?", [openid]);
      expect(conversation.status).toBe("waiting");
      await eventually(async () => {
        const rows: { routed_at: Date | null }[] = await h.server.dataSource.query("SELECT routed_at FROM inbound_message WHERE openid = ?", [openid]);
        return rows.length > 0 && rows.every((row) => row.routed_at !== null);
      });
      expect(await nicknameOf(openid)).toBeNull();

      // The failure backs off: the next message does not call WeChat again.
      await fanSays(h, openid, "有人吗");
      await h.server.inbox.idle();
      expect(userInfoGets()).toBe(asked + 1);
    });
  });
});
