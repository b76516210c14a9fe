import type { FakeWechatState } from "./fakeWechatState";
import { itemFromCustomMessage, itemFromTemplateMessage, type ChatItem } from "./chatItems";

/** How /wechat took a fan's push: pending while the request is under way. */
export type Delivery = { state: "pending" } | { state: "delivered"; status: number } | { state: "failed"; status: number | null; error: string };

export interface TimelineEntry {
  /** Position in the chat; entries are shown in seq order. */
  seq: number;
  /** Changes whenever the entry does; the polling cursor is the highest rev a page has seen. */
  rev: number;
  at: string;
  from: "fan" | "account";
  /** For the account's entries: which channel carried it. */
  via?: "passive" | "custom" | "template";
  /** The customer-service account a custom message was sent as. */
  kfAccount?: string;
  item: ChatItem;
  /** For the fan's entries that were pushed to /wechat. */
  delivery?: Delivery;
}

export interface TimelinePage {
  entries: TimelineEntry[];
  cursor: number;
  /** True when the page's cursor is from before a restart: it should drop what it shows and take these. */
  reset: boolean;
}

/** Enough history for a demo; older entries of a chatty fan fall off. */
const MAX_ENTRIES_PER_FAN = 500;

/**
 * Everything each simulated fan's phone shows, oldest first. What the fan sent and the passive replies
 * are recorded here; what the account sent through the API is read from the fake WeChat, which is taken
 * into the same sequence whenever the timeline is touched, so both interleave in the order they happened.
 */
export class Timeline {
  private readonly byFan = new Map<string, TimelineEntry[]>();
  private seq = 0;
  private rev = 0;
  /** How many of the fake's sent messages have been taken in. */
  private fakeSeen = 0;

  constructor(private readonly fake: FakeWechatState) {}

  /** Adds an entry after anything the account has sent so far. */
  record(openid: string, entry: Omit<TimelineEntry, "seq" | "rev" | "at">): TimelineEntry {
    this.takeInFakeMessages();
    return this.append(openid, { ...entry, at: this.fake.clock.now().toISOString() });
  }

  /** Changes an entry in place (a fan's delivery result); pages pick it up through its new rev. */
  update(entry: TimelineEntry, change: Partial<Pick<TimelineEntry, "delivery">>): TimelineEntry {
    Object.assign(entry, change, { rev: ++this.rev });
    return entry;
  }

  /** The fan's entries changed since `cursor` (a rev), in seq order. */
  since(openid: string, cursor: number): TimelinePage {
    this.takeInFakeMessages();
    const reset = cursor > this.rev;
    const from = reset ? 0 : cursor;
    const entries = (this.byFan.get(openid) ?? []).filter((entry) => entry.rev > from);
    return { entries, cursor: this.rev, reset };
  }

  private append(openid: string, entry: Omit<TimelineEntry, "seq" | "rev">): TimelineEntry {
    const full: TimelineEntry = { seq: ++this.seq, rev: ++this.rev, ...entry };
    const entries = this.byFan.get(openid) ?? [];
    entries.push(full);
    if (entries.length > MAX_ENTRIES_PER_FAN) entries.splice(0, entries.length - MAX_ENTRIES_PER_FAN);
    this.byFan.set(openid, entries);
    return full;
  }

  private takeInFakeMessages(): void {
    const sent = this.fake.sent;
    // The fake was reset (tests do that): start over with whatever it holds now.
    if (sent.length < this.fakeSeen) this.fakeSeen = 0;
    for (const message of sent.slice(this.fakeSeen)) {
      const at = message.at.toISOString();
      if (message.kind === "custom") {
        this.append(message.toUser, {
          at,
          from: "account",
          via: "custom",
          ...(message.kfAccount ? { kfAccount: message.kfAccount } : {}),
          item: itemFromCustomMessage(message.msgType, message.body),
        });
      } else {
        this.append(message.toUser, { at, from: "account", via: "template", item: itemFromTemplateMessage(message.body) });
      }
    }
    this.fakeSeen = sent.length;
  }
}
