import { Table, type MigrationInterface, type QueryRunner } from "typeorm";
import { columnBuilders } from "./columns";

/**
 * Water services, first slice: the built-in billing tables (accounts, tiered prices, meter readings,
 * monthly bills, payments), fans' verified phones and account bindings (with the bill subscription flag),
 * the monthly bill notices (one per account, month and fan) and the audit log.
 */
export class Water1763950000000 implements MigrationInterface {
  name = "Water1763950000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const { engine, id, str, at, text, int, bool, index } = columnBuilders(queryRunner);

    await queryRunner.createTable(
      new Table({
        name: "water_price_tier",
        ...engine,
        columns: [id(), int("tier"), int("lower_m3"), int("upper_m3", { nullable: true }), int("unit_price_fen"), str("label", 50), at("created_at")],
        indices: [index("ux_water_price_tier_tier", ["tier"], true)],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "water_account",
        ...engine,
        columns: [
          id(),
          str("customer_number", 32),
          str("owner_name", 50),
          str("address", 200),
          str("area", 50),
          str("query_password_hash", 200),
          int("balance_fen", { default: 0 }),
          at("created_at"),
          at("updated_at"),
        ],
        indices: [index("ux_water_account_customer_number", ["customer_number"], true), index("ix_water_account_area", ["area"])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "water_meter_reading",
        ...engine,
        columns: [id(), id("account_id"), int("reading"), at("read_at"), at("created_at")],
        indices: [index("ix_water_meter_reading_account", ["account_id", "read_at"])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "water_bill",
        ...engine,
        columns: [
          id(),
          id("account_id"),
          str("month", 7),
          int("previous_reading"),
          int("current_reading"),
          int("volume_m3"),
          int("amount_fen"),
          text("tiers"),
          str("status", 8),
          at("issued_at"),
          at("paid_at", true),
          at("created_at"),
        ],
        indices: [index("ux_water_bill_account_month", ["account_id", "month"], true), index("ix_water_bill_month", ["month"])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "water_payment",
        ...engine,
        columns: [id(), id("account_id"), str("payment_ref", 64), int("amount_fen"), text("settled_months"), int("balance_after_fen"), at("paid_at"), at("created_at")],
        indices: [index("ux_water_payment_ref", ["payment_ref"], true), index("ix_water_payment_account", ["account_id", "paid_at"])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "fan_phone",
        ...engine,
        columns: [{ ...str("openid", 64), isPrimary: true }, str("phone", 20), at("verified_at")],
        indices: [index("ix_fan_phone_phone", ["phone"])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "water_binding",
        ...engine,
        columns: [
          id(),
          str("fan_openid", 64),
          str("customer_number", 32),
          str("owner_name_masked", 50),
          str("address", 200),
          str("area", 50),
          bool("subscribed", false),
          at("created_at"),
          at("updated_at"),
        ],
        indices: [
          index("ux_water_binding_fan_account", ["fan_openid", "customer_number"], true),
          index("ix_water_binding_customer_number", ["customer_number"]),
          index("ix_water_binding_subscribed", ["subscribed"]),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "water_bill_notice",
        ...engine,
        columns: [id(), str("customer_number", 32), str("month", 7), str("fan_openid", 64), id("binding_id"), id("outbox_id"), at("created_at")],
        indices: [index("ux_water_bill_notice_once", ["customer_number", "month", "fan_openid"], true)],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "audit_log",
        ...engine,
        columns: [
          id(),
          str("actor_type", 10),
          str("actor_id", 64),
          str("action", 40),
          str("customer_number", 32, true),
          text("detail", true),
          str("ip", 45, true),
          at("at"),
        ],
        indices: [
          index("ix_audit_log_at", ["at"]),
          index("ix_audit_log_actor", ["actor_id", "at"]),
          index("ix_audit_log_account", ["customer_number", "at"]),
          index("ix_audit_log_action", ["action", "at"]),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ["audit_log", "water_bill_notice", "water_binding", "fan_phone", "water_payment", "water_bill", "water_meter_reading", "water_account", "water_price_tier"]) {
      await queryRunner.dropTable(table);
    }
  }
}
