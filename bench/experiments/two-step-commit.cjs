"use strict";
// Used with BENCH_PIPELINE_PRELOAD=bench/experiments/two-step-commit.cjs (see docs/benchmarks.md). Patches server/dist in the
// benchmark's pipeline process only; relies on private internals and is not meant to be copied as is.
// PROTOTYPE (experiment only), portable to MySQL 8 (no RETURNING): 2 awaited steps per batch on the raw mysql2 pool.
//   queue (no await between): START TRANSACTION; INSERT fan (assuming every message is new); INSERT inbound_message; SELECT owners
//   if every message was new: COMMIT. Otherwise (a retry in the batch, rare): ROLLBACK and redo with only the fresh ones.
const path = require("node:path");
const dist = path.resolve(__dirname, "../../server/dist");
const { InboxWriter, mergeFanChanges } = require(path.join(dist, "modules/inbox/inboxWriter.js"));
const cols = "(id, dedupe_key, openid, kind, msg_id, payload, raw_xml, created_time, received_at)";
const fanCols = "(openid, subscribed, subscribed_at, unsubscribed_at, last_message_at, last_event_at, last_interaction_at, created_at, updated_at)";
const later = (col) => `${col} = GREATEST(COALESCE(${col}, VALUES(${col})), COALESCE(VALUES(${col}), ${col}))`;
const FAN_UPDATE = `ON DUPLICATE KEY UPDATE subscribed = IF(VALUES(subscribed_at) IS NOT NULL, 1, IF(VALUES(unsubscribed_at) IS NOT NULL, 0, subscribed)), subscribed_at = COALESCE(VALUES(subscribed_at), subscribed_at), unsubscribed_at = COALESCE(VALUES(unsubscribed_at), unsubscribed_at), ${later("last_message_at")}, ${later("last_event_at")}, ${later("last_interaction_at")}, updated_at = VALUES(updated_at)`;
const q = (conn, sql, params) => new Promise((res, rej) => conn.query(sql, params, (e, r) => (e ? rej(e) : res(r))));
const latest = (a, b) => (!a ? b : !b ? a : a > b ? a : b);

function fanStatement(messages, now) {
  const changes = mergeFanChanges(messages).sort((a, b) => (a.openid < b.openid ? -1 : 1));
  if (changes.length === 0) return null;
  const values = changes.flatMap((c) => [c.openid, c.unsubscribedAt ? 0 : 1, c.subscribedAt, c.unsubscribedAt, c.lastMessageAt, c.lastEventAt, latest(c.lastMessageAt, c.lastEventAt), now, now]);
  return [`INSERT INTO fan ${fanCols} VALUES ${changes.map(() => "(?,?,?,?,?,?,?,?,?)").join(",")} ${FAN_UPDATE}`, values];
}

InboxWriter.prototype.flush = async function (batch) {
  if (batch.length === 0) return;
  const pool = this.dataSource.driver.pool;
  const conn = await new Promise((res, rej) => pool.getConnection((e, c) => (e ? rej(e) : res(c))));
  try {
    const rows = batch.map((item) => {
      const { rawXml, ...fields } = item.message;
      return [item.id, item.message.dedupeKey, item.message.fromUserName, item.message.kind, item.message.msgId ?? null, JSON.stringify(fields), rawXml, new Date(item.message.createTime * 1000), item.receivedAt];
    });
    const insert = `INSERT INTO inbound_message ${cols} VALUES ${rows.map(() => "(?,?,?,?,?,?,?,?,?)").join(",")} ON DUPLICATE KEY UPDATE id = id`;
    const select = `SELECT id, dedupe_key FROM inbound_message WHERE dedupe_key IN (${rows.map(() => "?").join(",")})`;
    const keys = rows.map((r) => r[1]);
    const now = this.clock.now();
    const fan = fanStatement(batch.map((i) => i.message), now);
    const pending = [q(conn, "START TRANSACTION"), fan ? q(conn, fan[0], fan[1]) : null, q(conn, insert, rows.flat()), q(conn, select, keys)];
    const settled = await Promise.allSettled(pending.filter(Boolean));
    const failed = settled.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
    const owners = settled[settled.length - 1].value;
    const stored = new Map(owners.map((o) => [o.dedupe_key, o.id]));
    const fresh = batch.filter((item) => stored.get(item.message.dedupeKey) === item.id);
    if (fresh.length === batch.length) {
      await q(conn, "COMMIT");
    } else {
      // Slow path (a WeChat retry in the batch): undo, keep the new rows, update fans only for them.
      await q(conn, "ROLLBACK");
      await q(conn, "START TRANSACTION");
      await q(conn, insert, rows.flat());
      const again = await q(conn, select, keys);
      const owners2 = new Map(again.map((o) => [o.dedupe_key, o.id]));
      const fresh2 = batch.filter((item) => owners2.get(item.message.dedupeKey) === item.id);
      const fan2 = fanStatement(fresh2.map((i) => i.message), now);
      if (fan2) await q(conn, fan2[0], fan2[1]);
      await q(conn, "COMMIT");
      stored.clear();
      for (const [k, v] of owners2) stored.set(k, v);
    }
    for (const item of batch) {
      const id = stored.get(item.message.dedupeKey);
      item.resolve({ isNew: id === item.id, id: id ?? item.id });
    }
  } catch (error) {
    try { await q(conn, "ROLLBACK"); } catch {}
    for (const item of batch) item.reject(error);
    throw error;
  } finally {
    conn.release();
  }
};
