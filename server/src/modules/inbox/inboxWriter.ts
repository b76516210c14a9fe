import type { DataSource, EntityManager } from "typeorm";
import { newId } from "../../infra/ids";
import { sqlDate } from "../../infra/db/dataSource";
import type { Clock } from "../../infra/clock";
import type { InboundMessage } from "../../wechat/callback/messages";

/** Messages the fan typed or sent: they grant 5 customer-service messages within 48 h. */
const USER_MESSAGE_KINDS = new Set(["text", "image", "voice", "video", "shortvideo", "location", "link"]);
/** Events that grant 3 customer-service messages within a minute (and open the 48-hour window). */
const INTERACTION_EVENT_KINDS = new Set(["click", "subscribe", "scan"]);

interface Pending {
  message: InboundMessage;
  id: string;
  receivedAt: Date;
  resolve: (stored: { isNew: boolean; id: string }) => void;
  reject: (error: unknown) => void;
}

interface FanChange {
  openid: string;
  subscribedAt: Date | null;
  unsubscribedAt: Date | null;
  lastMessageAt: Date | null;
  lastEventAt: Date | null;
}

const MYSQL_DEADLOCK = new Set(["ER_LOCK_DEADLOCK", "ER_LOCK_WAIT_TIMEOUT"]);

/**
 * Writes inbound messages and their fans' interaction times, deduplicated by the unique dedupe key.
 *
 * Callbacks arrive concurrently; writing each in its own transaction would make the commit (an fsync)
 * the ceiling. Instead every message waiting while a write is under way joins the next batch: one
 * transaction stores them all (group commit), and each caller learns whether its message was new.
 * The database's unique key, not this process, decides duplicates, so it holds across instances.
 */
export class InboxWriter {
  private queue: Pending[] = [];
  private flushing = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly options: { maxBatch?: number; maxConcurrentFlushes?: number } = {},
  ) {}

  private get mysql(): boolean {
    return this.dataSource.options.type === "mysql";
  }

  /** Resolves once the message is durably stored (or found stored already). */
  write(message: InboundMessage): Promise<{ isNew: boolean; id: string }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ message, id: newId(), receivedAt: this.clock.now(), resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    // SQLite has a single writer, so parallel flushes would only queue on its lock.
    const limit = this.options.maxConcurrentFlushes ?? (this.mysql ? 2 : 1);
    if (this.flushing >= limit || this.queue.length === 0) return;
    this.flushing++;
    // setImmediate lets every callback parsed in this turn of the event loop join the batch.
    setImmediate(() => {
      const batch = this.queue.splice(0, this.options.maxBatch ?? 200);
      this.flush(batch)
        .catch(() => undefined)
        .finally(() => {
          this.flushing--;
          this.kick();
        });
    });
  }

  private async flush(batch: Pending[]): Promise<void> {
    if (batch.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        const storedIds = await this.dataSource.transaction((manager) => this.store(manager, batch));
        for (const item of batch) {
          const storedId = storedIds.get(item.message.dedupeKey);
          item.resolve({ isNew: storedId === item.id, id: storedId ?? item.id });
        }
        return;
      } catch (error) {
        const code = (error as { code?: string }).code ?? (error as { driverError?: { code?: string } }).driverError?.code;
        if (attempt < 3 && code && MYSQL_DEADLOCK.has(code)) continue;
        for (const item of batch) item.reject(error);
        throw error;
      }
    }
  }

  /** Inserts new messages, reads back which id owns each dedupe key, and updates the fans of the new ones. */
  private async store(manager: EntityManager, batch: Pending[]): Promise<Map<string, string>> {
    const date = (d: Date) => sqlDate(this.dataSource, d);
    const rows = batch.map((item) => {
      const { rawXml, ...fields } = item.message;
      return [
        item.id,
        item.message.dedupeKey,
        item.message.fromUserName,
        item.message.kind,
        "msgId" in item.message && item.message.kind !== "template_send_job_finish" ? item.message.msgId : null,
        JSON.stringify(fields),
        rawXml,
        date(new Date(item.message.createTime * 1000)),
        date(item.receivedAt),
      ];
    });
    const placeholders = rows.map(() => "(?,?,?,?,?,?,?,?,?)").join(",");
    const columns = "(id, dedupe_key, openid, kind, msg_id, payload, raw_xml, created_time, received_at)";
    await manager.query(
      this.mysql
        ? `INSERT INTO inbound_message ${columns} VALUES ${placeholders} ON DUPLICATE KEY UPDATE id = id`
        : `INSERT INTO inbound_message ${columns} VALUES ${placeholders} ON CONFLICT(dedupe_key) DO NOTHING`,
      rows.flat(),
    );

    const keys = [...new Set(batch.map((item) => item.message.dedupeKey))];
    const owners: { id: string; dedupe_key: string }[] = await manager.query(
      `SELECT id, dedupe_key FROM inbound_message WHERE dedupe_key IN (${keys.map(() => "?").join(",")})`,
      keys,
    );
    const storedIds = new Map(owners.map((row) => [row.dedupe_key, row.id]));

    const fresh = batch.filter((item) => storedIds.get(item.message.dedupeKey) === item.id);
    const fanChanges = mergeFanChanges(fresh.map((item) => item.message));
    if (fanChanges.length > 0) await this.upsertFans(manager, fanChanges);
    return storedIds;
  }

  private async upsertFans(manager: EntityManager, changes: FanChange[]): Promise<void> {
    const now = sqlDate(this.dataSource, this.clock.now());
    const date = (d: Date | null) => (d ? sqlDate(this.dataSource, d) : null);
    // Sorted by openid so that concurrent batches lock fan rows in the same order (no deadlock cycles).
    changes.sort((a, b) => (a.openid < b.openid ? -1 : 1));
    const values = changes.flatMap((c) => {
      const lastInteraction = latest(c.lastMessageAt, c.lastEventAt);
      return [
        c.openid,
        c.unsubscribedAt ? 0 : 1,
        date(c.subscribedAt),
        date(c.unsubscribedAt),
        date(c.lastMessageAt),
        date(c.lastEventAt),
        date(lastInteraction),
        now,
        now,
      ];
    });
    const placeholders = changes.map(() => "(?,?,?,?,?,?,?,?,?)").join(",");
    const columns =
      "(openid, subscribed, subscribed_at, unsubscribed_at, last_message_at, last_event_at, last_interaction_at, created_at, updated_at)";
    if (this.mysql) {
      const later = (col: string) => `${col} = GREATEST(COALESCE(${col}, VALUES(${col})), COALESCE(VALUES(${col}), ${col}))`;
      await manager.query(
        `INSERT INTO fan ${columns} VALUES ${placeholders} ON DUPLICATE KEY UPDATE
           subscribed = IF(VALUES(subscribed_at) IS NOT NULL, 1, IF(VALUES(unsubscribed_at) IS NOT NULL, 0, subscribed)),
           subscribed_at = COALESCE(VALUES(subscribed_at), subscribed_at),
           unsubscribed_at = COALESCE(VALUES(unsubscribed_at), unsubscribed_at),
           ${later("last_message_at")}, ${later("last_event_at")}, ${later("last_interaction_at")},
           updated_at = VALUES(updated_at)`,
        values,
      );
    } else {
      const later = (col: string) => `${col} = max(coalesce(fan.${col}, excluded.${col}), coalesce(excluded.${col}, fan.${col}))`;
      await manager.query(
        `INSERT INTO fan ${columns} VALUES ${placeholders} ON CONFLICT(openid) DO UPDATE SET
           subscribed = CASE WHEN excluded.subscribed_at IS NOT NULL THEN 1 WHEN excluded.unsubscribed_at IS NOT NULL THEN 0 ELSE fan.subscribed END,
           subscribed_at = coalesce(excluded.subscribed_at, fan.subscribed_at),
           unsubscribed_at = coalesce(excluded.unsubscribed_at, fan.unsubscribed_at),
           ${later("last_message_at")}, ${later("last_event_at")}, ${later("last_interaction_at")},
           updated_at = excluded.updated_at`,
        values,
      );
    }
  }
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

/** Folds a batch's new messages into one change per fan; the latest follow/unfollow decides `subscribed`. */
export function mergeFanChanges(messages: InboundMessage[]): FanChange[] {
  const byFan = new Map<string, FanChange>();
  for (const message of [...messages].sort((a, b) => a.createTime - b.createTime)) {
    const at = new Date(message.createTime * 1000);
    const change = byFan.get(message.fromUserName) ?? {
      openid: message.fromUserName,
      subscribedAt: null,
      unsubscribedAt: null,
      lastMessageAt: null,
      lastEventAt: null,
    };
    if (USER_MESSAGE_KINDS.has(message.kind)) change.lastMessageAt = latest(change.lastMessageAt, at);
    if (INTERACTION_EVENT_KINDS.has(message.kind)) change.lastEventAt = latest(change.lastEventAt, at);
    if (message.kind === "subscribe") {
      change.subscribedAt = at;
      change.unsubscribedAt = null;
    }
    if (message.kind === "unsubscribe") {
      change.unsubscribedAt = at;
      change.subscribedAt = null;
    }
    byFan.set(message.fromUserName, change);
  }
  return [...byFan.values()];
}
