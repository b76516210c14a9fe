/**
 * Regenerates sql/schema.sql from the migrations, run against a scratch MariaDB/MySQL database:
 *   node -r ts-node/register/transpile-only scripts/dump-schema.ts [mysql://root@127.0.0.1:3306]
 * server/test/schema.integration.test.ts fails when the committed file and the migrations disagree.
 */
import "reflect-metadata";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { openDatabase } from "../server/src/infra/db/dataSource";

async function main() {
  const root = process.argv[2] ?? "mysql://root@127.0.0.1:3306";
  const name = `shuiwu_schema_${Date.now()}`;
  const admin = await mysql.createConnection(root);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  try {
    const dataSource = await openDatabase({ kind: "mysql", url: `${root}/${name}` });
    const tables: { TABLE_NAME: string }[] = await dataSource.query(
      "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME = 'migrations', TABLE_NAME",
    );
    const parts = [
      "-- Shuiwu Service Desk: the MySQL/MariaDB schema, generated from the migrations by scripts/dump-schema.ts.",
      "-- Do not edit by hand: add a migration, then regenerate. A test checks the two agree.",
      "-- Loading this file into an empty database is equivalent to starting the server once (the migrations",
      "-- table records them as applied).",
      "",
    ];
    for (const { TABLE_NAME } of tables) {
      const [row] = await dataSource.query(`SHOW CREATE TABLE \`${TABLE_NAME}\``);
      parts.push(`${String(row["Create Table"]).replace(/ AUTO_INCREMENT=\d+/, "")};`, "");
    }
    const applied: { timestamp: string; name: string }[] = await dataSource.query("SELECT timestamp, name FROM migrations ORDER BY id");
    for (const m of applied) parts.push(`INSERT INTO \`migrations\` (\`timestamp\`, \`name\`) VALUES (${m.timestamp}, '${m.name}');`);
    writeFileSync(join(__dirname, "../sql/schema.sql"), parts.join("\n") + "\n");
    await dataSource.destroy();
  } finally {
    await admin.query(`DROP DATABASE \`${name}\``);
    await admin.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
