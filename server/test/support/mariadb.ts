import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";

/** The machine's MariaDB; every test file works in a database of its own and drops it afterwards. */
export const MARIADB_ROOT_URL = process.env.TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306";
export const REDIS_TEST_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(label = "t"): Promise<TestDatabase> {
  const name = `shuiwu_test_${label}_${randomBytes(4).toString("hex")}`;
  const admin = await mysql.createConnection(MARIADB_ROOT_URL);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  return {
    name,
    url: `${MARIADB_ROOT_URL}/${name}`,
    drop: async () => {
      const conn = await mysql.createConnection(MARIADB_ROOT_URL);
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    },
  };
}

export function testKeyPrefix(label = "t"): string {
  return `test:${label}:${randomBytes(4).toString("hex")}:`;
}
