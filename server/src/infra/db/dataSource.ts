import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DataSource } from "typeorm";
import type { Config } from "../../config";
import { entities } from "./entities";
import { migrations } from "./migrations";

export type DatabaseKind = Config["database"]["kind"];

/**
 * The one DataSource, on MySQL/MariaDB (production) or SQLite (embedded default).
 * Migrations run on start; `synchronize` is never used, so the schema only changes through migrations.
 */
export function createDataSource(database: Config["database"]): DataSource {
  if (database.kind === "mysql") {
    return new DataSource({
      type: "mysql",
      url: database.url,
      charset: "utf8mb4_unicode_ci",
      // Dates are stored as UTC; mysql2 must not shift them to the server's zone.
      timezone: "Z",
      // BIGINT ids and MsgIds come back as exact strings.
      supportBigNumbers: true,
      bigNumberStrings: true,
      poolSize: 20,
      entities,
      migrations,
      migrationsRun: false,
      synchronize: false,
    });
  }
  if (database.path !== ":memory:") mkdirSync(dirname(database.path), { recursive: true });
  return new DataSource({
    type: "better-sqlite3",
    database: database.path,
    // WAL lets readers proceed while the single writer commits; busy timeout rides out short write locks.
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.pragma("foreign_keys = ON");
    },
    timeout: 5000,
    entities,
    migrations,
    synchronize: false,
  });
}

export async function openDatabase(database: Config["database"]): Promise<DataSource> {
  const dataSource = createDataSource(database);
  await dataSource.initialize();
  if (database.kind === "sqlite") serialiseTransactions(dataSource);
  try {
    await runMigrationsExclusively(dataSource);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

/**
 * Several instances start at once in production; a named MySQL lock lets one migrate while the others
 * wait and then find nothing left to do. (SQLite serves one process, whose writes are serialised anyway.)
 */
async function runMigrationsExclusively(dataSource: DataSource): Promise<void> {
  if (dataSource.options.type !== "mysql") {
    await dataSource.runMigrations({ transaction: "each" });
    return;
  }
  const lockHolder = dataSource.createQueryRunner();
  try {
    const [row] = await lockHolder.query("SELECT GET_LOCK('shuiwu_migrations', 300) AS locked");
    if (Number(row.locked) !== 1) throw new Error("timed out waiting for another instance to finish migrating");
    await dataSource.runMigrations({ transaction: "each" });
  } finally {
    await lockHolder.query("SELECT RELEASE_LOCK('shuiwu_migrations')").catch(() => undefined);
    await lockHolder.release();
  }
}

/**
 * better-sqlite3 runs every statement on one connection, so two transactions open at once would nest
 * ("cannot start a transaction within a transaction"). Transactions queue instead, one after another.
 * (Work inside a transaction uses its own manager and must not start another top-level transaction.)
 */
function serialiseTransactions(dataSource: DataSource): void {
  const manager = dataSource.manager;
  const original = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  let tail: Promise<unknown> = Promise.resolve();
  (manager as unknown as { transaction: (...args: unknown[]) => Promise<unknown> }).transaction = (...args: unknown[]) => {
    const run = tail.then(() => original(...args));
    tail = run.catch(() => undefined);
    return run;
  };
}

/** Converts a Date into what the driver stores in a `datetime` column, for hand-written SQL. */
export function sqlDate(dataSource: DataSource, date: Date): Date | string {
  return dataSource.options.type === "mysql" ? date : date.toISOString().replace("T", " ").replace("Z", "");
}
