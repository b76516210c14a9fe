import { customMessageAllowance, windowRemainingMs, isWindowOpen, WECHAT_QUOTA_RULES, type FanInteractions } from "./replyWindow";

const H = 60 * 60 * 1000;
const t0 = new Date("2026-11-20T08:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const afterMessage = (): FanInteractions => ({ lastMessageAt: t0, lastEventAt: null, lastInteractionAt: t0 });
const none = { lastMessage: 0, lastEvent: 0 };

describe("48-hour reply window", () => {
  it("is open right after the fan's message and shows the remaining time", () => {
    expect(isWindowOpen(afterMessage(), at(0))).toBe(true);
    expect(windowRemainingMs(afterMessage(), at(47 * H))).toBe(1 * H);
  });

  it("closes exactly 48 h after the fan's last interaction", () => {
    expect(isWindowOpen(afterMessage(), at(48 * H - 1))).toBe(true);
    expect(isWindowOpen(afterMessage(), at(48 * H))).toBe(false);
    expect(windowRemainingMs(afterMessage(), at(50 * H))).toBe(0);
  });

  it("is closed for a fan who never interacted", () => {
    const never = { lastMessageAt: null, lastEventAt: null, lastInteractionAt: null };
    expect(isWindowOpen(never, t0)).toBe(false);
    expect(customMessageAllowance(never, none, t0, WECHAT_QUOTA_RULES)).toMatchObject({ allowed: false, errcode: 45015 });
  });
});

describe("customer-service message quota", () => {
  it("allows 5 sends within 48 h after a fan's message and refuses the 6th with 45047", () => {
    expect(customMessageAllowance(afterMessage(), { lastMessage: 4, lastEvent: 0 }, at(H), WECHAT_QUOTA_RULES)).toEqual({
      allowed: true,
      grant: "message",
    });
    const sixth = customMessageAllowance(afterMessage(), { lastMessage: 5, lastEvent: 0 }, at(H), WECHAT_QUOTA_RULES);
    expect(sixth).toMatchObject({ allowed: false, errcode: 45047, reason: "quota_exhausted" });
  });

  it("refuses a reply 48 h after the fan's last message with 45015 and says to use a template", () => {
    const refused = customMessageAllowance(afterMessage(), none, at(48 * H), WECHAT_QUOTA_RULES);
    expect(refused).toMatchObject({ allowed: false, errcode: 45015, reason: "window_closed" });
    expect(refused.allowed === false && refused.message).toContain("模板消息");
  });

  it("allows 3 sends within a minute after a menu click, follow or scan", () => {
    const clicked: FanInteractions = { lastMessageAt: null, lastEventAt: t0, lastInteractionAt: t0 };
    expect(customMessageAllowance(clicked, { lastMessage: 0, lastEvent: 2 }, at(59_000), WECHAT_QUOTA_RULES)).toEqual({
      allowed: true,
      grant: "event",
    });
    expect(customMessageAllowance(clicked, { lastMessage: 0, lastEvent: 3 }, at(1000), WECHAT_QUOTA_RULES)).toMatchObject({
      allowed: false,
      errcode: 45047,
    });
    // After the minute the event grant is gone, though the 48-hour window is still open: WeChat answers 45047.
    expect(customMessageAllowance(clicked, none, at(60_000), WECHAT_QUOTA_RULES)).toMatchObject({ allowed: false, errcode: 45047 });
  });

  it("uses the event grant when the message grant is used up", () => {
    const both: FanInteractions = { lastMessageAt: t0, lastEventAt: at(H), lastInteractionAt: at(H) };
    expect(customMessageAllowance(both, { lastMessage: 5, lastEvent: 0 }, at(H + 1000), WECHAT_QUOTA_RULES)).toEqual({
      allowed: true,
      grant: "event",
    });
  });

  it("follows changed rules (quota settings)", () => {
    const rules = { ...WECHAT_QUOTA_RULES, afterMessage: { count: 20, windowMs: 48 * H } };
    expect(customMessageAllowance(afterMessage(), { lastMessage: 19, lastEvent: 0 }, at(H), rules).allowed).toBe(true);
  });
});
