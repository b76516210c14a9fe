import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, SelectQueryBuilder } from "typeorm";

/**
 * Small database helpers for the conversation commands: transactions that survive MySQL deadlocks and
 * SQLite's single connection, row locks where the database has them, and duplicate-key detection.
 */

const RETRYABLE = new Set(["ER_LOCK_DEADLOCK", "ER_LOCK_WAIT_TIMEOUT"]);
// better-sqlite3 runs every query on one connection: two open transactions would nest and fail, so ours queue.
const sqliteQueues = new WeakMap<DataSource, Promise<unknown>>();

export function isMysql(dataSource: DataSource): boolean {
  return dataSource.options.type === "mysql";
}

function errorCode(error: unknown): string | undefined {
  const e = error as { code?: string; driverError?: { code?: string } };
  return e?.driverError?.code ?? e?.code;
}

/** Runs `work` in a transaction; retried (from the start) on a MySQL deadlock, so `work` must be re-runnable. */
export async function withTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (!isMysql(dataSource)) {
    const previous = sqliteQueues.get(dataSource) ?? Promise.resolve();
    const run = previous.then(() => dataSource.transaction(work));
    sqliteQueues.set(
      dataSource,
      run.catch(() => undefined),
    );
    return run;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.transaction(work);
    } catch (error) {
      if (attempt < 3 && RETRYABLE.has(errorCode(error) ?? "")) continue;
      throw error;
    }
  }
}

/** True for a unique-key violation, optionally of the named index (MySQL names it; SQLite names the columns). */
export function isDuplicateKey(error: unknown, index?: { mysql: string; sqlite: string }): boolean {
  const code = errorCode(error);
  const message = String((error as Error)?.message ?? "");
  const duplicate = code === "ER_DUP_ENTRY" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || /UNIQUE constraint failed/.test(message);
  if (!duplicate || !index) return duplicate;
  return message.includes(index.mysql) || message.includes(index.sqlite);
}

/** A query builder that takes row locks (SELECT … FOR UPDATE) on MySQL; SQLite serialises transactions instead. */
export function lockingQuery<E extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<E>, alias: string): SelectQueryBuilder<E> {
  const query = manager.getRepository(entity).createQueryBuilder(alias);
  return manager.connection.options.type === "mysql" ? query.setLock("pessimistic_write") : query;
}

/**
 * A "contains" pattern for `LIKE :pattern ESCAPE '!'` with the user's wildcards escaped. "!" rather than
 * a backslash, because the two databases read a backslash in a string literal differently.
 */
export function likePattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}
