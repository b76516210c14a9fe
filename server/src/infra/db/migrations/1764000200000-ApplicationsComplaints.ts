import { Table, TableColumn, type MigrationInterface, type QueryRunner } from "typeorm";
import { columnBuilders } from "./columns";

/**
 * Applications (业务申请) with their timeline, the complaint workflow (category, assignee, attachments,
 * result, revisit, timeline) and fans' H5 uploads. Upload bytes are stored in the database
 * (MEDIUMBLOB on MySQL, up to 16 MB; the server caps files far lower) so every instance can serve them.
 */
export class ApplicationsComplaints1764000200000 implements MigrationInterface {
  name = "ApplicationsComplaints1764000200000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const { engine, id, str, at, text, blob, int, bool, index } = columnBuilders(queryRunner);

    await queryRunner.createTable(
      new Table({
        name: "fan_upload",
        ...engine,
        columns: [
          id(),
          str("fan_openid", 64),
          str("kind", 8),
          str("content_type", 40),
          int("size_bytes"),
          blob("data"),
          str("attached_to", 60, true),
          at("created_at"),
        ],
        indices: [index("ix_fan_upload_fan_created", ["fan_openid", "created_at"]), index("ix_fan_upload_attached", ["attached_to"])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "application",
        ...engine,
        columns: [
          id(),
          str("number", 20),
          str("fan_openid", 64),
          str("type", 16),
          str("status", 16),
          str("owner_name", 50),
          str("customer_number", 32, true),
          str("id_number", 18),
          id("id_front_upload_id"),
          id("id_back_upload_id"),
          str("area", 50),
          str("address", 200),
          str("detail_address", 200),
          str("phone", 20),
          str("remark", 500, true),
          int("fee_fen"),
          at("paid_at", true),
          str("payment_order_id", 64, true),
          str("reject_reason", 200, true),
          id("handler_id", true),
          int("version", { default: 0 }),
          at("created_at"),
          at("updated_at"),
        ],
        indices: [
          index("ux_application_number", ["number"], true),
          index("ix_application_fan_created", ["fan_openid", "created_at"]),
          index("ix_application_status_created", ["status", "created_at"]),
          index("ix_application_type_created", ["type", "created_at"]),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "application_event",
        ...engine,
        columns: [
          id(),
          id("application_id"),
          str("from_status", 16, true),
          str("to_status", 16),
          str("actor_type", 8),
          str("actor_id", 64, true),
          str("actor_name", 50, true),
          str("note", 500, true),
          at("at"),
        ],
        indices: [index("ix_application_event_application", ["application_id", "at"])],
      }),
    );

    await queryRunner.addColumns("complaint", [
      new TableColumn(str("number", 20, true)),
      new TableColumn({ ...str("category", 16), default: "'complaint'" }),
      new TableColumn(id("assignee_id", true)),
      new TableColumn(text("photo_upload_ids", true)),
      new TableColumn(id("voice_upload_id", true)),
      new TableColumn(text("location", true)),
      new TableColumn(str("customer_number", 32, true)),
      new TableColumn(text("result", true)),
      new TableColumn(at("replied_at", true)),
      new TableColumn(int("rating", { nullable: true })),
      new TableColumn(str("rating_by", 8, true)),
      new TableColumn(str("revisit_note", 500, true)),
      new TableColumn(at("revisited_at", true)),
      new TableColumn(at("accepted_at", true)),
      new TableColumn(at("closed_at", true)),
      new TableColumn(int("version", { default: 0 })),
    ]);
    await queryRunner.createIndex("complaint", index("ux_complaint_number", ["number"], true));
    await queryRunner.createIndex("complaint", index("ix_complaint_assignee", ["assignee_id"]));

    await queryRunner.createTable(
      new Table({
        name: "complaint_event",
        ...engine,
        columns: [
          id(),
          id("complaint_id"),
          str("type", 16),
          str("from_status", 16, true),
          str("to_status", 16),
          str("actor_type", 8),
          str("actor_id", 64, true),
          str("actor_name", 50, true),
          text("note", true),
          bool("is_public", true),
          at("at"),
        ],
        indices: [index("ix_complaint_event_complaint", ["complaint_id", "at"])],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("complaint_event");
    await queryRunner.dropIndex("complaint", "ix_complaint_assignee");
    await queryRunner.dropIndex("complaint", "ux_complaint_number");
    for (const column of [
      "version",
      "closed_at",
      "accepted_at",
      "revisited_at",
      "revisit_note",
      "rating_by",
      "rating",
      "replied_at",
      "result",
      "customer_number",
      "location",
      "voice_upload_id",
      "photo_upload_ids",
      "assignee_id",
      "category",
      "number",
    ]) {
      await queryRunner.dropColumn("complaint", column);
    }
    for (const table of ["application_event", "application", "fan_upload"]) await queryRunner.dropTable(table);
  }
}
