import { Table, type MigrationInterface, type QueryRunner } from "typeorm";
import { columnBuilders } from "./columns";

/**
 * Custom menus (the editor's draft and each publish) and the guides capability: business process guides,
 * fee standards with their tiers, service outlets with coordinates.
 */
export class MenusGuides1764000100000 implements MigrationInterface {
  name = "MenusGuides1764000100000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const { engine, id, str, at, text, int, double, bool, index } = columnBuilders(queryRunner);

    await queryRunner.createTable(
      new Table({ name: "menu_draft", ...engine, columns: [id(), text("menu"), id("updated_by", true), at("updated_at")] }),
    );
    await queryRunner.createTable(
      new Table({
        name: "menu_publication",
        ...engine,
        columns: [id(), text("menu"), id("published_by", true), id("outbox_id"), at("created_at")],
        indices: [index("ix_menu_publication_created", ["created_at"])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "guide",
        ...engine,
        columns: [id(), str("title", 100), str("category", 30), str("summary", 300), text("steps"), text("body"), int("position"), bool("published"), at("created_at"), at("updated_at")],
        indices: [index("ix_guide_order", ["position", "id"])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "fee_standard",
        ...engine,
        columns: [
          id(),
          str("name", 50),
          str("description", 300),
          str("period", 10),
          text("tiers"),
          text("notes"),
          bool("billing_tariff"),
          int("position"),
          at("created_at"),
          at("updated_at"),
        ],
        indices: [index("ix_fee_standard_order", ["position", "id"])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "service_outlet",
        ...engine,
        columns: [
          id(),
          str("name", 50),
          str("address", 200),
          str("hours", 100),
          str("phone", 30),
          str("services", 200),
          double("latitude"),
          double("longitude"),
          int("position"),
          at("created_at"),
          at("updated_at"),
        ],
        indices: [index("ix_service_outlet_order", ["position", "id"])],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ["service_outlet", "fee_standard", "guide", "menu_publication", "menu_draft"]) await queryRunner.dropTable(table);
  }
}
