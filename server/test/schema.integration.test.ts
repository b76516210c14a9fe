import { readFileSync } from "node:fs";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { openDatabase } from "../src/infra/db/dataSource";
import { createTestDatabase, type TestDatabase } from "./support/mariadb";

/** sql/schema.sql must describe exactly what the migrations create on MariaDB. */
describe("sql/schema.sql and the migrations", () => {
  let fromMigrations: TestDatabase;
  let fromSql: TestDatabase;

  beforeAll(async () => {
    fromMigrations = await createTestDatabase("mig");
    fromSql = await createTestDatabase("sql");
  });
  afterAll(async () => {
    await fromMigrations?.drop();
    await fromSql?.drop();
  });

  async function describeSchema(url: string) {
    const conn = await mysql.createConnection(url);
    try {
      const [columns] = await conn.query(
        `SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, COLLATION_NAME
           FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`,
      );
      const [indexes] = await conn.query(
        `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME
           FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
      );
      const [tables] = await conn.query(
        `SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME`,
      );
      const [migrations] = await conn.query("SELECT timestamp, name FROM migrations ORDER BY id");
      return { tables, columns, indexes, migrations };
    } finally {
      await conn.end();
    }
  }

  it("creates the same tables, columns, indexes and migration records", async () => {
    const dataSource = await openDatabase({ kind: "mysql", url: fromMigrations.url });
    await dataSource.destroy();

    const conn = await mysql.createConnection({ uri: fromSql.url, multipleStatements: true });
    await conn.query(readFileSync(join(__dirname, "../../sql/schema.sql"), "utf8"));
    await conn.end();

    const expected = await describeSchema(fromMigrations.url);
    const actual = await describeSchema(fromSql.url);
    expect((expected.tables as unknown[]).length).toBeGreaterThanOrEqual(5);
    expect(actual).toEqual(expected);
  });

  it("lets several instances start at once on an empty database (one migrates, the others wait)", async () => {
    const fresh = await createTestDatabase("race");
    try {
      const instances = await Promise.all([1, 2, 3].map(() => openDatabase({ kind: "mysql", url: fresh.url })));
      const [{ n }] = await instances[0].query("SELECT COUNT(*) AS n FROM migrations");
      expect(Number(n)).toBe(instances[0].migrations.length);
      await Promise.all(instances.map((ds) => ds.destroy()));
    } finally {
      await fresh.drop();
    }
  });

  it("leaves nothing for the migrations to do on a database loaded from schema.sql", async () => {
    const dataSource = await openDatabase({ kind: "mysql", url: fromSql.url });
    try {
      expect(await dataSource.showMigrations()).toBe(false);
    } finally {
      await dataSource.destroy();
    }
  });
});
