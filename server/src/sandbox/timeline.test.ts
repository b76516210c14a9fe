import { ManualClock } from "../infra/clock";
import { FakeWechatState } from "./fakeWechatState";
import { Timeline } from "./timeline";

const FAN = "oSandboxFan000000000000000001";
const OTHER = "oSandboxFan000000000000000002";

function setup() {
  const clock = new ManualClock(new Date("2026-03-01T08:00:00Z"));
  const fake = new FakeWechatState({ appId: "wxsandbox00000001", appSecret: "secret", clock });
  return { clock, fake, timeline: new Timeline(fake) };
}

const text = (content: string) => ({ kind: "text" as const, content });

describe("the simulated chat's timeline", () => {
  test("interleaves the fan's pushes with what the account sent through the API, in the order it happened", () => {
    const { fake, timeline, clock } = setup();
    timeline.record(FAN, { from: "fan", item: text("你好") });
    clock.advance(1000);
    fake.recordCustom({ touser: FAN, msgtype: "text", text: { content: "客服小王为您服务" }, customservice: { kf_account: "wang@gh" } });
    clock.advance(1000);
    timeline.record(FAN, { from: "fan", item: text("查水费") });
    fake.recordTemplate({ touser: FAN, template_id: "TPL", url: "https://h5/bill", data: { amount: { value: "41.40 元", color: "#ff0000" } } });
    fake.recordCustom({ touser: OTHER, msgtype: "text", text: { content: "someone else" } });

    const page = timeline.since(FAN, 0);
    expect(page.entries.map((entry) => [entry.from, entry.via ?? "", entry.item.kind])).toEqual([
      ["fan", "", "text"],
      ["account", "custom", "text"],
      ["fan", "", "text"],
      ["account", "template", "template"],
    ]);
    expect(page.entries[1]).toMatchObject({ kfAccount: "wang@gh", at: "2026-03-01T08:00:01.000Z", item: { content: "客服小王为您服务" } });
    expect(page.entries[3].item).toEqual({
      kind: "template",
      templateId: "TPL",
      url: "https://h5/bill",
      fields: [{ key: "amount", value: "41.40 元", color: "#ff0000" }],
    });
    expect(timeline.since(OTHER, 0).entries).toHaveLength(1);
  });

  test("a cursor returns only what is new or changed since, and a changed entry keeps its place", () => {
    const { timeline } = setup();
    const sent = timeline.record(FAN, { from: "fan", item: text("你好"), delivery: { state: "pending" } });
    const first = timeline.since(FAN, 0);
    expect(first.entries).toHaveLength(1);
    expect(timeline.since(FAN, first.cursor).entries).toEqual([]);

    timeline.update(sent, { delivery: { state: "delivered", status: 200 } });
    timeline.record(FAN, { from: "account", via: "passive", item: text("欢迎") });
    const next = timeline.since(FAN, first.cursor);
    expect(next.entries.map((entry) => [entry.seq, entry.delivery?.state])).toEqual([
      [sent.seq, "delivered"],
      [sent.seq + 1, undefined],
    ]);
    expect(next.reset).toBe(false);
  });

  test("a cursor from before a restart asks the page to start over", () => {
    const { timeline } = setup();
    timeline.record(FAN, { from: "fan", item: text("你好") });
    const page = timeline.since(FAN, 999);
    expect(page.reset).toBe(true);
    expect(page.entries).toHaveLength(1);
  });

  test("survives the fake being reset", () => {
    const { fake, timeline } = setup();
    fake.recordCustom({ touser: FAN, msgtype: "text", text: { content: "one" } });
    fake.recordCustom({ touser: FAN, msgtype: "text", text: { content: "two" } });
    const { cursor } = timeline.since(FAN, 0);
    fake.reset();
    fake.recordCustom({ touser: FAN, msgtype: "text", text: { content: "three" } });
    expect(timeline.since(FAN, cursor).entries.map((entry) => entry.item)).toEqual([text("three")]);
  });
});
