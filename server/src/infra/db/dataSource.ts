import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DataSource, type EntityManager, type EntityTarget, type ObjectLiteral, type Repository } from "typeorm";
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
  await dataSource.runMigrations({ transaction: "each" });
  return dataSource;
}

/** Converts a Date into what the driver stores in a `datetime` column, for hand-written SQL. */
export function sqlDate(dataSource: DataSource, date: Date): Date | string {
  return dataSource.options.type === "mysql" ? date : date.toISOString().replace("T", " ").replace("Z", "");
}

export function isMysql(dataSourceOrManager: DataSource | EntityManager): boolean {
  const ds = "manager" in dataSourceOrManager && "options" in dataSourceOrManager ? dataSourceOrManager : dataSourceOrManager.connection;
  return ds.options.type === "mysql";
}

export function repo<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>): Repository<T> {
  return manager.getRepository(target);
}
