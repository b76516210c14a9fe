import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../src/infra/db/dataSource";
import { SettingRow } from "../src/modules/settings/setting.entity";

/** The embedded default's single SQLite connection: concurrent transactions queue instead of failing. */
describe("SQLite transactions", () => {
  it("runs 20 concurrent transactions one after another, each committed whole", async () => {
    const dataSource = await openDatabase({ kind: "sqlite", path: join(mkdtempSync(join(tmpdir(), "shuiwu-sqlite-")), "db.sqlite") });
    try {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          dataSource.transaction(async (manager) => {
            await manager.getRepository(SettingRow).insert({ key: `k${i}`, value: i, updatedAt: new Date() });
            await new Promise((r) => setTimeout(r, 2));
            await manager.getRepository(SettingRow).update({ key: `k${i}` }, { value: i * 10 });
          }),
        ),
      );
      const rows = await dataSource.getRepository(SettingRow).find();
      expect(rows).toHaveLength(20);
      expect(rows.every((row) => Number(row.value) === Number(row.key.slice(1)) * 10)).toBe(true);
      // A failing transaction rolls back alone and does not block the queue.
      await expect(
        dataSource.transaction(async (manager) => {
          await manager.getRepository(SettingRow).insert({ key: "doomed", value: 1, updatedAt: new Date() });
          throw new Error("nope");
        }),
      ).rejects.toThrow("nope");
      await dataSource.transaction((manager) => manager.getRepository(SettingRow).insert({ key: "after", value: 1, updatedAt: new Date() }));
      expect(await dataSource.getRepository(SettingRow).countBy({ key: "doomed" })).toBe(0);
      expect(await dataSource.getRepository(SettingRow).countBy({ key: "after" })).toBe(1);
    } finally {
      await dataSource.destroy();
    }
  });
});
