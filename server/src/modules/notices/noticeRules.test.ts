import { chinaDay, displayState, isVisible, outageState } from "./noticeRules";
import { entryBodySchema, noticeBodySchema } from "./noticeSchemas";

const at = (iso: string) => new Date(iso);
const now = at("2026-11-24T04:00:00Z");

describe("notice visibility window", () => {
  const published = { status: "published" as const, publishFrom: at("2026-11-24T00:00:00Z"), publishUntil: at("2026-11-25T00:00:00Z") };

  it("shows a published notice from publishFrom up to (not including) publishUntil", () => {
    expect(isVisible(published, now)).toBe(true);
    expect(isVisible(published, at("2026-11-24T00:00:00Z"))).toBe(true);
    expect(isVisible(published, at("2026-11-23T23:59:59.999Z"))).toBe(false);
    expect(isVisible(published, at("2026-11-25T00:00:00Z"))).toBe(false);
  });

  it("keeps a notice without publishUntil visible indefinitely", () => {
    expect(isVisible({ ...published, publishUntil: null }, at("2030-01-01T00:00:00Z"))).toBe(true);
  });

  it("hides drafts, unpublished notices and notices without a start", () => {
    expect(isVisible({ ...published, status: "draft" }, now)).toBe(false);
    expect(isVisible({ ...published, status: "unpublished" }, now)).toBe(false);
    expect(isVisible({ ...published, publishFrom: null }, now)).toBe(false);
  });

  it("names the admin's display state", () => {
    expect(displayState({ ...published, status: "draft" }, now)).toBe("draft");
    expect(displayState(published, now)).toBe("live");
    expect(displayState(published, at("2026-11-23T00:00:00Z"))).toBe("scheduled");
    expect(displayState(published, at("2026-11-26T00:00:00Z"))).toBe("expired");
    expect(displayState({ ...published, status: "unpublished" }, now)).toBe("unpublished");
  });
});

describe("outages and China-time days", () => {
  it("says whether an outage is upcoming, ongoing or over", () => {
    const start = at("2026-11-24T02:00:00Z");
    const end = at("2026-11-24T10:00:00Z");
    expect(outageState(start, end, at("2026-11-24T01:00:00Z"))).toBe("upcoming");
    expect(outageState(start, end, now)).toBe("ongoing");
    expect(outageState(start, end, end)).toBe("ended");
  });

  it("reads a date as the China-time calendar day", () => {
    expect(chinaDay("2026-11-24")).toEqual({ start: at("2026-11-23T16:00:00Z"), end: at("2026-11-24T16:00:00Z") });
    expect(chinaDay("2026-02-30")).toBeNull();
    expect(chinaDay("2026-1-5")).toBeNull();
  });
});

describe("notice body validation", () => {
  const outage = {
    kind: "outage",
    outageType: "emergency",
    title: "滨江路爆管紧急停水",
    content: "正在抢修",
    areas: ["城东片区", "城东片区"],
    startsAt: "2026-11-24T08:00:00+08:00",
    endsAt: "2026-11-24T18:00:00+08:00",
  };
  const firstMessage = (input: unknown) => {
    const parsed = noticeBodySchema.safeParse(input);
    return parsed.success ? null : parsed.error.issues[0].message;
  };

  it("accepts a complete outage and drops repeated areas", () => {
    const parsed = noticeBodySchema.parse(outage);
    expect(parsed.areas).toEqual(["城东片区"]);
    expect(parsed.startsAt).toEqual(at("2026-11-24T00:00:00Z"));
  });

  it("names what an outage is missing", () => {
    expect(firstMessage({ ...outage, outageType: undefined })).toBe("请选择停水类型（计划停水或紧急停水）");
    expect(firstMessage({ ...outage, areas: [] })).toBe("请至少填写一个停水区域");
    expect(firstMessage({ ...outage, startsAt: null })).toBe("请填写停水开始时间");
    expect(firstMessage({ ...outage, endsAt: "2026-11-24T07:00:00+08:00" })).toBe("恢复供水时间必须晚于停水开始时间");
  });

  it("refuses zoneless times, outage fields on other kinds, unknown fields and bad windows", () => {
    expect(firstMessage({ ...outage, startsAt: "2026-11-24T08:00" })).toContain("开始时间不是有效的时间");
    expect(firstMessage({ kind: "news", title: "新闻", content: "内容", outageType: "planned" })).toBe("只有停水通知可以选择停水类型");
    expect(firstMessage({ kind: "news", title: "新闻", content: "内容", startsAt: "2026-11-24T08:00:00Z" })).toBe("只有停水通知和抢修动态可以填写开始和结束时间");
    expect(firstMessage({ kind: "news", title: "新闻", content: "内容", colour: "red" })).toBe("请求中有不认识的字段：colour");
    expect(firstMessage({ kind: "news", title: "新闻", content: "内容", publishFrom: "2026-11-24T08:00:00Z", publishUntil: "2026-11-24T08:00:00Z" })).toBe(
      "失效时间必须晚于生效时间",
    );
    expect(firstMessage({ kind: "weather", title: "x", content: "y" })).toContain("公告类型必须是");
    expect(firstMessage({ kind: "news", title: " ", content: "y" })).toBe("请填写标题");
  });

  it("requires text for a text update and a media URL for a photo or video", () => {
    expect(entryBodySchema.safeParse({ kind: "text", text: "已到达现场" }).success).toBe(true);
    expect(entryBodySchema.safeParse({ kind: "text", text: "  " }).error?.issues[0].message).toBe("请填写进展说明");
    expect(entryBodySchema.safeParse({ kind: "image" }).error?.issues[0].message).toBe("请提供图片地址");
    expect(entryBodySchema.safeParse({ kind: "video", mediaUrl: "javascript:alert(1)" }).error?.issues[0].message).toBe("媒体地址必须是 http(s) 网址或上传后得到的图片地址");
    expect(entryBodySchema.safeParse({ kind: "image", mediaUrl: "/api/fan/notices/media/01a20b5a-c541-700b-be99-e16de441145d" }).success).toBe(true);
    expect(entryBodySchema.safeParse({ kind: "image", mediaUrl: "/api/fan/notices/media/../../x" }).success).toBe(false);
    expect(entryBodySchema.safeParse({ kind: "video", mediaUrl: "https://cdn.example.com/a.mp4" }).success).toBe(true);
  });
});
