import { Table, type MigrationInterface, type QueryRunner } from "typeorm";
import { columnBuilders } from "./columns";

/** Fans, inbound messages, the outbox and settings: the gateway's tables. Written once for MySQL and SQLite. */
export class Foundation1763900000000 implements MigrationInterface {
  name = "Foundation1763900000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const { engine, id, str, at, text, int, bool, index } = columnBuilders(queryRunner);

    await queryRunner.createTable(
      new Table({
        name: "fan",
        ...engine,
        columns: [
          { ...str("openid", 64), isPrimary: true },
          bool("subscribed", false),
          str("nickname", 100, true),
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
        ...engine,
        columns: [
          id(),
          str("dedupe_key", 191),
          str("openid", 64),
          str("kind", 32),
          str("msg_id", 32, true),
          text("payload"),
          text("raw_xml"),
          at("created_time"),
          at("received_at"),
        ],
        indices: [
          index("ux_inbound_message_dedupe", ["dedupe_key"], true),
          index("ix_inbound_message_openid_received", ["openid", "received_at"]),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: "outbox_message",
        ...engine,
        columns: [
          id(),
          str("fan_openid", 64, true),
          str("kind", 20),
          text("payload"),
          str("status", 10),
          int("attempts", { default: 0 }),
          at("next_attempt_at"),
          str("claimed_by", 64, true),
          at("claim_expires_at", true),
          int("last_errcode", { nullable: true }),
          str("last_error", 500, true),
          text("result", true),
          str("ref", 100, true),
          at("created_at"),
          at("sent_at", true),
        ],
        indices: [
          index("ix_outbox_due", ["status", "next_attempt_at"]),
          index("ix_outbox_fan", ["fan_openid", "status"]),
          index("ix_outbox_ref", ["ref"]),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: "setting",
        ...engine,
        columns: [{ ...str("key", 100), isPrimary: true }, text("value"), at("updated_at")],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ["setting", "outbox_message", "inbound_message", "fan"]) await queryRunner.dropTable(table);
  }
}
