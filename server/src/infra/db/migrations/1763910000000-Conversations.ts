import { Table, TableColumn, type MigrationInterface, type QueryRunner } from "typeorm";
import { columnBuilders } from "./columns";

/** Agents, conversations and their messages/events, leave-messages, keywords, quick replies, internal chat, fan profile. */
export class Conversations1763910000000 implements MigrationInterface {
  name = "Conversations1763910000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const { engine, id, str, at, text, int, bool, index } = columnBuilders(queryRunner);

    await queryRunner.createTable(
      new Table({ name: "agent_group", ...engine, columns: [id(), str("name", 50), at("created_at")], indices: [index("ux_agent_group_name", ["name"], true)] }),
    );
    await queryRunner.createTable(
      new Table({
        name: "agent",
        ...engine,
        columns: [
          id(),
          str("name", 50),
          str("job_number", 40),
          str("role", 16),
          id("group_id", true),
          int("capacity", { default: 5 }),
          str("wechat_openid", 64, true),
          str("password_hash", 200, true),
          { ...str("status", 10), default: "'offline'" },
          at("status_changed_at", true),
          text("settings"),
          at("created_at"),
          at("updated_at"),
          at("deleted_at", true),
        ],
        indices: [index("ux_agent_job_number", ["job_number"], true), index("ux_agent_wechat_openid", ["wechat_openid"], true)],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "conversation",
        ...engine,
        columns: [
          id(),
          str("fan_openid", 64),
          str("open_fan_openid", 64, true),
          str("status", 10),
          id("agent_id", true),
          int("version", { default: 1 }),
          at("queued_at"),
          at("accepted_at", true),
          at("last_message_at"),
          at("last_fan_message_at", true),
          at("last_agent_message_at", true),
          at("agent_alerted_at", true),
          at("fan_reminded_at", true),
          at("closed_at", true),
          id("closed_by", true),
          str("outcome", 12, true),
          str("outcome_reason", 500, true),
          at("rating_requested_at", true),
          int("rating", { nullable: true }),
          at("rated_at", true),
          id("complaint_id", true),
          at("created_at"),
          at("updated_at"),
        ],
        indices: [
          index("ux_conversation_open_fan", ["open_fan_openid"], true),
          index("ix_conversation_status_queued", ["status", "queued_at"]),
          index("ix_conversation_agent_status", ["agent_id", "status"]),
          index("ix_conversation_fan_created", ["fan_openid", "created_at"]),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "conversation_event",
        ...engine,
        columns: [id(), id("conversation_id"), str("type", 20), id("agent_id", true), id("target_agent_id", true), text("detail", true), at("at")],
        indices: [index("ix_conversation_event_conversation", ["conversation_id", "at"])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "conversation_message",
        ...engine,
        columns: [
          id(),
          id("conversation_id"),
          str("fan_openid", 64),
          str("direction", 8),
          id("agent_id", true),
          str("kind", 16),
          text("content", true),
          text("media", true),
          id("inbound_message_id", true),
          id("outbox_id", true),
          at("created_at"),
        ],
        indices: [
          index("ix_conversation_message_conversation", ["conversation_id", "created_at"]),
          index("ix_conversation_message_fan", ["fan_openid", "created_at"]),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "leave_message",
        ...engine,
        columns: [
          id(),
          str("fan_openid", 64),
          id("inbound_message_id"),
          str("kind", 16),
          text("content", true),
          text("media", true),
          at("read_at", true),
          at("handled_at", true),
          id("handled_by", true),
          at("created_at"),
        ],
        indices: [index("ix_leave_message_handled", ["handled_at", "created_at"])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "keyword_rule",
        ...engine,
        columns: [id(), str("keyword", 50), str("match_type", 10), text("reply"), bool("enabled", true), int("position", { default: 0 }), at("created_at"), at("updated_at")],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "quick_reply_category",
        ...engine,
        columns: [id(), id("owner_agent_id", true), str("name", 50), int("position", { default: 0 }), at("created_at")],
        indices: [index("ix_quick_reply_category_owner", ["owner_agent_id", "position"])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "quick_reply",
        ...engine,
        columns: [id(), id("category_id"), id("owner_agent_id", true), str("title", 50, true), text("content"), int("position", { default: 0 }), at("created_at"), at("updated_at")],
        indices: [index("ix_quick_reply_category", ["category_id", "position"])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "internal_message",
        ...engine,
        columns: [id(), id("from_agent_id"), id("to_agent_id"), text("content"), at("created_at"), at("read_at", true)],
        indices: [
          index("ix_internal_message_to_read", ["to_agent_id", "read_at"]),
          index("ix_internal_message_pair", ["from_agent_id", "to_agent_id", "created_at"]),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "fan_trail",
        ...engine,
        columns: [id(), str("openid", 64), str("kind", 20), text("detail", true), at("at")],
        indices: [index("ix_fan_trail_openid_at", ["openid", "at"])],
      }),
    );

    await queryRunner.addColumns("fan", [
      new TableColumn(str("remark", 100, true)),
      new TableColumn(text("tags", true)),
      new TableColumn(text("notes", true)),
      new TableColumn(bool("blacklisted", false)),
      new TableColumn(str("blacklist_reason", 200, true)),
      new TableColumn(at("blacklisted_at", true)),
      new TableColumn(id("blacklisted_by", true)),
    ]);
    await queryRunner.addColumn("inbound_message", new TableColumn(at("routed_at", true)));
    await queryRunner.createIndex("inbound_message", index("ix_inbound_message_unrouted", ["routed_at", "received_at"]));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex("inbound_message", "ix_inbound_message_unrouted");
    await queryRunner.dropColumn("inbound_message", "routed_at");
    for (const column of ["blacklisted_by", "blacklisted_at", "blacklist_reason", "blacklisted", "notes", "tags", "remark"]) {
      await queryRunner.dropColumn("fan", column);
    }
    for (const table of [
      "fan_trail",
      "internal_message",
      "quick_reply",
      "quick_reply_category",
      "keyword_rule",
      "leave_message",
      "conversation_message",
      "conversation_event",
      "conversation",
      "agent",
      "agent_group",
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
