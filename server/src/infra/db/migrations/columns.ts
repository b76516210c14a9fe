import { TableIndex, type QueryRunner, type TableColumnOptions } from "typeorm";

/**
 * The column and index builders every migration uses, bound to the dialect the migration runs on
 * (MySQL/MariaDB or SQLite), so a table is written once for both.
 *
 * Shipped migrations depend on these: a change here must leave every column they create exactly as it is
 * (server/test/schema.integration.test.ts and a regenerated sql/schema.sql with no diff are the proof).
 */
export function columnBuilders(queryRunner: QueryRunner) {
  const mysql = queryRunner.connection.options.type === "mysql";
  return {
    mysql,
    /** Table options: InnoDB on MySQL/MariaDB, nothing on SQLite. */
    engine: mysql ? { engine: "InnoDB" } : {},
    /** A UUIDv7 id (server/src/infra/ids.ts); the column named "id" is the primary key. */
    id: (name = "id", nullable = false): TableColumnOptions => ({ name, type: "varchar", length: "36", isPrimary: name === "id", isNullable: nullable }),
    str: (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: "varchar", length: String(length), isNullable: nullable }),
    /** Millisecond datetimes, stored as UTC. */
    at: (name: string, nullable = false): TableColumnOptions => ({ name, type: "datetime", precision: 3, isNullable: nullable }),
    /** Long text and JSON: MySQL's TEXT stops at 64 KB, so MEDIUMTEXT there. */
    text: (name: string, nullable = false): TableColumnOptions => ({ name, type: mysql ? "mediumtext" : "text", isNullable: nullable }),
    /** Bytes: MySQL's BLOB stops at 64 KB, so MEDIUMBLOB there (up to 16 MB). */
    blob: (name: string): TableColumnOptions => ({ name, type: mysql ? "mediumblob" : "blob" }),
    int: (name: string, options: { nullable?: boolean; default?: number } = {}): TableColumnOptions => ({
      name,
      type: "int",
      isNullable: options.nullable ?? false,
      ...(options.default !== undefined ? { default: options.default } : {}),
    }),
    double: (name: string): TableColumnOptions => ({ name, type: "double" }),
    /** A boolean with the given default (none when omitted), spelled as each dialect expects it. */
    bool: (name: string, value?: boolean): TableColumnOptions => ({
      name,
      type: "boolean",
      ...(value !== undefined ? { default: mysql ? (value ? 1 : 0) : value ? "1" : "0" } : {}),
    }),
    index: (name: string, columnNames: string[], isUnique = false) => new TableIndex({ name, columnNames, isUnique }),
  };
}
