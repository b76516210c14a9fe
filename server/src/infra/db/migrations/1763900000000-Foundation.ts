import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from "typeorm";

/** Fans, inbound messages, the outbox and settings: the gateway's tables. Written once for MySQL and SQLite. */
export class Foundation1763900000000 implements MigrationInterface {
  name = "Foundation1763900000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === "mysql";
    const at = (name: string, nullable = false): TableColumnOptions => ({ name, type: "datetime", precision: 3, isNullable: nullable });
    const json = (name: string, nullable = false): TableColumnOptions => ({ name, type: mysql ? "mediumtext" : "text", isNullable: nullable });
    const tableOptions = mysql ? { engine: "InnoDB" } : {};

    await queryRunner.createTable(
      new Table({
        name: "fan",
        ...tableOptions,
        columns: [
          { name: "openid", type: "varchar", length: "64", isPrimary: true },
          { name: "subscribed", type: "boolean", default: mysql ? 0 : "0" },
          { name: "nickname", type: "varchar", length: "100", isNullable: true },
          at("subscribed_at", true),
          at("unsubscribed_at", true),
          at("last_message_at", true),
          at("last_event_at", true),
          at("last_interaction_at", true),
          at("created_at"),
          at("updated_at"),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: "inbound_message",
        ...tableOptions,
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "dedupe_key", type: "varchar", length: "191" },
          { name: "openid", type: "varchar", length: "64" },
          { name: "kind", type: "varchar", length: "32" },
          { name: "msg_id", type: "varchar", length: "32", isNullable: true },
          json("payload"),
          json("raw_xml"),
          at("created_time"),
          at("received_at"),
        ],
        indices: [
          new TableIndex({ name: "ux_inbound_message_dedupe", columnNames: ["dedupe_key"], isUnique: true }),
          new TableIndex({ name: "ix_inbound_message_openid_received", columnNames: ["openid", "received_at"] }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: "outbox_message",
        ...tableOptions,
        columns: [
          { name: "id", type: "varchar", length: "36", isPrimary: true },
          { name: "fan_openid", type: "varchar", length: "64", isNullable: true },
          { name: "kind", type: "varchar", length: "20" },
          json("payload"),
          { name: "status", type: "varchar", length: "10" },
          { name: "attempts", type: "int", default: 0 },
          at("next_attempt_at"),
          { name: "claimed_by", type: "varchar", length: "64", isNullable: true },
          at("claim_expires_at", true),
          { name: "last_errcode", type: "int", isNullable: true },
          { name: "last_error", type: "varchar", length: "500", isNullable: true },
          json("result", true),
          { name: "ref", type: "varchar", length: "100", isNullable: true },
          at("created_at"),
          at("sent_at", true),
        ],
        indices: [
          new TableIndex({ name: "ix_outbox_due", columnNames: ["status", "next_attempt_at"] }),
          new TableIndex({ name: "ix_outbox_fan", columnNames: ["fan_openid", "status"] }),
          new TableIndex({ name: "ix_outbox_ref", columnNames: ["ref"] }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: "setting",
        ...tableOptions,
        columns: [{ name: "key", type: "varchar", length: "100", isPrimary: true }, json("value"), at("updated_at")],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ["setting", "outbox_message", "inbound_message", "fan"]) await queryRunner.dropTable(table);
  }
}
