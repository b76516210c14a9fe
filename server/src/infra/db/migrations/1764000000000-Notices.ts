import { Table, type MigrationInterface, type QueryRunner } from "typeorm";
import { columnBuilders } from "./columns";

/**
 * Notices: outages (planned / emergency) with their affected areas, quality and pressure bulletins, repair
 * live timelines (with uploaded photos), company news; and the emergency-outage notifications (one per notice
 * and fan).
 */
export class Notices1764000000000 implements MigrationInterface {
  name = "Notices1764000000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const { engine, id, str, at, text, blob, int, index } = columnBuilders(queryRunner);

    await queryRunner.createTable(
      new Table({
        name: "notice",
        ...engine,
        columns: [
          id(),
          str("kind", 16),
          str("outage_type", 16, true),
          str("title", 100),
          text("content"),
          at("starts_at", true),
          at("ends_at", true),
          str("status", 16),
          at("publish_from", true),
          at("publish_until", true),
          at("first_published_at", true),
          at("notified_at", true),
          id("created_by"),
          id("updated_by"),
          at("created_at"),
          at("updated_at"),
        ],
        indices: [index("ix_notice_visible", ["status", "publish_from"]), index("ix_notice_kind_visible", ["kind", "status", "publish_from"])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "notice_area",
        ...engine,
        columns: [id(), id("notice_id"), str("area", 50)],
        indices: [index("ux_notice_area_notice_area", ["notice_id", "area"], true), index("ix_notice_area_area", ["area"])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "notice_entry",
        ...engine,
        columns: [id(), id("notice_id"), str("kind", 8), text("text", true), str("media_url", 500, true), at("happened_at"), id("created_by"), at("created_at")],
        indices: [index("ix_notice_entry_notice", ["notice_id", "happened_at"])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "notice_notification",
        ...engine,
        columns: [id(), id("notice_id"), str("fan_openid", 64), id("outbox_id"), at("created_at")],
        indices: [index("ux_notice_notification_once", ["notice_id", "fan_openid"], true)],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "notice_media",
        ...engine,
        // mediumblob: MySQL's blob stops at 64 KB; photos are up to 2 MB.
        columns: [id(), str("content_type", 40), int("size_bytes"), blob("data"), id("created_by"), at("created_at")],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ["notice_media", "notice_notification", "notice_entry", "notice_area", "notice"]) {
      await queryRunner.dropTable(table);
    }
  }
}
