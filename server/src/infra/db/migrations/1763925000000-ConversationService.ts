import { Table, TableColumn, type MigrationInterface, type QueryRunner } from "typeorm";
import { columnBuilders } from "./columns";

/**
 * The conversation service's additions: complaint tickets (minimal; the water-services issue extends them),
 * and on conversations the previous agent, the unanswered-since and read-up-to times, and the rating link token.
 */
export class ConversationService1763925000000 implements MigrationInterface {
  name = "ConversationService1763925000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const { engine, id, str, at, text, index } = columnBuilders(queryRunner);

    await queryRunner.createTable(
      new Table({
        name: "complaint",
        ...engine,
        columns: [
          id(),
          str("fan_openid", 64),
          str("source", 16),
          id("conversation_id", true),
          str("title", 100),
          text("content"),
          text("transcript", true),
          str("status", 16),
          at("created_at"),
          at("updated_at"),
        ],
        indices: [
          index("ix_complaint_fan_created", ["fan_openid", "created_at"]),
          index("ix_complaint_conversation", ["conversation_id"]),
          index("ix_complaint_status_created", ["status", "created_at"]),
        ],
      }),
    );

    await queryRunner.addColumns("conversation", [
      new TableColumn(id("previous_agent_id", true)),
      new TableColumn(at("awaiting_agent_since", true)),
      new TableColumn(at("agent_read_at", true)),
      new TableColumn(str("rating_token", 64, true)),
    ]);
    await queryRunner.createIndex("conversation", index("ux_conversation_rating_token", ["rating_token"], true));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex("conversation", "ux_conversation_rating_token");
    for (const column of ["rating_token", "agent_read_at", "awaiting_agent_since", "previous_agent_id"]) {
      await queryRunner.dropColumn("conversation", column);
    }
    await queryRunner.dropTable("complaint");
  }
}
