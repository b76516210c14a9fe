import mysql from "mysql2";
import type { DataSource } from "typeorm";
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

/** One fan's interaction times from a batch: each the latest of its kind. */
export interface FanChange {
  openid: string;
  subscribedAt: Date | null;
  unsubscribedAt: Date | null;
  lastMessageAt: Date | null;
  lastEventAt: Date | null;
}

const RETRYABLE = new Set(["ER_LOCK_DEADLOCK", "ER_LOCK_WAIT_TIMEOUT", "SQLITE_BUSY"]);
const MESSAGE_COLUMNS = "(id, dedupe_key, openid, kind, msg_id, payload, raw_xml, created_time, received_at)";
const FAN_COLUMNS =
  "(openid, subscribed, subscribed_at, unsubscribed_at, last_message_at, last_event_at, last_interaction_at, created_at, updated_at)";
const TIME_COLUMNS = ["subscribed_at", "unsubscribed_at", "last_message_at", "last_event_at", "last_interaction_at"];

/**
 * The fan upsert keeps the latest time of each kind and derives `subscribed` from the latest follow and
 * unfollow, so applying the same message twice changes nothing. That lets the statements of a batch go to
 * the database together, without first asking which messages are new.
 */
function fanUpsertSql(dialect: "mysql" | "sqlite", rowCount: number): string {
  const placeholders = Array.from({ length: rowCount }, () => "(?,?,?,?,?,?,?,?,?)").join(",");
  if (dialect === "mysql") {
    const latest = (col: string) => `GREATEST(COALESCE(${col}, VALUES(${col})), COALESCE(VALUES(${col}), ${col}))`;
    // `subscribed` is assigned first so that every expression reads the row's old values.
    return `INSERT INTO fan ${FAN_COLUMNS} VALUES ${placeholders} ON DUPLICATE KEY UPDATE
      subscribed = IF(${latest("unsubscribed_at")} IS NOT NULL AND (${latest("subscribed_at")} IS NULL OR ${latest("unsubscribed_at")} >= ${latest("subscribed_at")}), 0, 1),
      ${TIME_COLUMNS.map((col) => `${col} = ${latest(col)}`).join(", ")},
      updated_at = VALUES(updated_at)`;
  }
  const latest = (col: string) => `max(coalesce(fan.${col}, excluded.${col}), coalesce(excluded.${col}, fan.${col}))`;
  return `INSERT INTO fan ${FAN_COLUMNS} VALUES ${placeholders} ON CONFLICT(openid) DO UPDATE SET
    subscribed = CASE WHEN ${latest("unsubscribed_at")} IS NOT NULL AND (${latest("subscribed_at")} IS NULL OR ${latest("unsubscribed_at")} >= ${latest("subscribed_at")}) THEN 0 ELSE 1 END,
    ${TIME_COLUMNS.map((col) => `${col} = ${latest(col)}`).join(", ")},
    updated_at = excluded.updated_at`;
}

/**
 * Writes inbound messages and their fans' interaction times, deduplicated by the unique dedupe key.
 *
 * Callbacks arrive concurrently; writing each in its own transaction would make the commit (an fsync)
 * the ceiling. Instead every message waiting while a write is under way joins the next batch: one
 * transaction stores them all (group commit), and each caller learns whether its message was new.
 * The database's unique key, not this process, decides duplicates, so it holds across instances.
 * On MySQL the whole batch is one round trip (a multi-statement query on a small pool of its own).
 */
export class InboxWriter {
  private queue: Pending[] = [];
  private flushing = 0;
  private idle: (() => void)[] = [];
  private readonly batchPool: mysql.Pool | null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly options: { maxBatch?: number; maxConcurrentFlushes?: number } = {},
  ) {
    const url = dataSource.options.type === "mysql" ? (dataSource.options as { url?: string }).url : undefined;
    // Multi-statement queries are enabled on this pool only; it runs nothing but the fixed statements below,
    // with every value passed as a placeholder.
    this.batchPool = url
      ? mysql.createPool({
          uri: url,
          multipleStatements: true,
          connectionLimit: this.maxFlushes,
          timezone: "Z",
          supportBigNumbers: true,
          bigNumberStrings: true,
          charset: "utf8mb4_unicode_ci",
        })
      : null;
  }

  private get maxFlushes(): number {
    // SQLite has a single writer, so parallel flushes would only queue on its lock.
    return this.options.maxConcurrentFlushes ?? (this.dataSource.options.type === "mysql" ? 2 : 1);
  }

  /** Resolves once the message is durably stored (or found stored already). */
  write(message: InboundMessage): Promise<{ isNew: boolean; id: string }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ message, id: newId(), receivedAt: this.clock.now(), resolve, reject });
      this.kick();
    });
  }

  /** Waits until every queued message is written; for shutdown, before the database closes. */
  async drain(): Promise<void> {
    if (this.queue.length === 0 && this.flushing === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  async close(): Promise<void> {
    await this.drain();
    await new Promise<void>((resolve) => (this.batchPool ? this.batchPool.end(() => resolve()) : resolve()));
  }

  private kick(): void {
    if (this.flushing >= this.maxFlushes || this.queue.length === 0) {
      if (this.flushing === 0 && this.queue.length === 0) for (const resolve of this.idle.splice(0)) resolve();
      return;
    }
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
        const storedIds = this.batchPool ? await this.storeMysql(batch) : await this.storeSqlite(batch);
        for (const item of batch) {
          const storedId = storedIds.get(item.message.dedupeKey);
          item.resolve({ isNew: storedId === item.id, id: storedId ?? item.id });
        }
        return;
      } catch (error) {
        const code = (error as { code?: string }).code ?? (error as { driverError?: { code?: string } }).driverError?.code;
        if (attempt < 3 && code && RETRYABLE.has(code)) continue;
        for (const item of batch) item.reject(error);
        throw error;
      }
    }
  }

  /** The parameters of a batch: message rows, fan rows (one per fan, sorted so concurrent batches lock alike), keys. */
  private statements(batch: Pending[]) {
    const date = (d: Date | null) => (d ? sqlDate(this.dataSource, d) : null);
    const messageValues = batch.flatMap((item) => {
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
    const now = date(this.clock.now());
    const fans = mergeFanChanges(batch.map((item) => item.message)).sort((a, b) => (a.openid < b.openid ? -1 : 1));
    const fanValues = fans.flatMap((c) => [
      c.openid,
      isSubscribed(c) ? 1 : 0,
      date(c.subscribedAt),
      date(c.unsubscribedAt),
      date(c.lastMessageAt),
      date(c.lastEventAt),
      date(latest(c.lastMessageAt, c.lastEventAt)),
      now,
      now,
    ]);
    const keys = [...new Set(batch.map((item) => item.message.dedupeKey))];
    const placeholders = (n: number) => Array.from({ length: n }, () => "(?,?,?,?,?,?,?,?,?)").join(",");
    return { messageValues, messagePlaceholders: placeholders(batch.length), fanCount: fans.length, fanValues, keys };
  }

  private async storeMysql(batch: Pending[]): Promise<Map<string, string>> {
    const s = this.statements(batch);
    const sql = [
      "START TRANSACTION",
      `INSERT INTO inbound_message ${MESSAGE_COLUMNS} VALUES ${s.messagePlaceholders} ON DUPLICATE KEY UPDATE id = id`,
      fanUpsertSql("mysql", s.fanCount),
      `SELECT id, dedupe_key FROM inbound_message WHERE dedupe_key IN (${s.keys.map(() => "?").join(",")})`,
      "COMMIT",
    ].join(";\n");
    const pool = this.batchPool!;
    const connection = await new Promise<mysql.PoolConnection>((resolve, reject) =>
      pool.getConnection((error, conn) => (error ? reject(error) : resolve(conn))),
    );
    try {
      const results = await new Promise<unknown[]>((resolve, reject) =>
        connection.query(sql, [...s.messageValues, ...s.fanValues, ...s.keys], (error, rows) => (error ? reject(error) : resolve(rows as unknown[]))),
      );
      const owners = results[3] as { id: string; dedupe_key: string }[];
      connection.release();
      return new Map(owners.map((row) => [row.dedupe_key, row.id]));
    } catch (error) {
      // A statement failed mid-way: the transaction is still open on this connection. Discard it.
      connection.destroy();
      throw error;
    }
  }

  private async storeSqlite(batch: Pending[]): Promise<Map<string, string>> {
    const s = this.statements(batch);
    return this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO inbound_message ${MESSAGE_COLUMNS} VALUES ${s.messagePlaceholders} ON CONFLICT(dedupe_key) DO NOTHING`,
        s.messageValues,
      );
      await manager.query(fanUpsertSql("sqlite", s.fanCount), s.fanValues);
      const owners: { id: string; dedupe_key: string }[] = await manager.query(
        `SELECT id, dedupe_key FROM inbound_message WHERE dedupe_key IN (${s.keys.map(() => "?").join(",")})`,
        s.keys,
      );
      return new Map(owners.map((row) => [row.dedupe_key, row.id]));
    });
  }
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

/**
 * Following unless the latest unfollow is at least as new as the latest follow (a fan who messages us
 * follows us). CreateTime has one-second resolution; within one second an unfollow is taken to be last,
 * since one can only unfollow what one followed.
 */
function isSubscribed(change: FanChange): boolean {
  return !(change.unsubscribedAt && (!change.subscribedAt || change.unsubscribedAt >= change.subscribedAt));
}

/** Folds a batch's messages into one change per fan, each time the latest of its kind. */
export function mergeFanChanges(messages: InboundMessage[]): FanChange[] {
  const byFan = new Map<string, FanChange>();
  for (const message of messages) {
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
    if (message.kind === "subscribe") change.subscribedAt = latest(change.subscribedAt, at);
    if (message.kind === "unsubscribe") change.unsubscribedAt = latest(change.unsubscribedAt, at);
    byFan.set(message.fromUserName, change);
  }
  return [...byFan.values()];
}
