import { Table, type MigrationInterface, type QueryRunner } from "typeorm";
import { columnBuilders } from "./columns";

/**
 * Payments (WeChat Pay JSAPI): orders with their credit state, refunds, anomalies (verified notifications
 * or query answers we refused to act on) and daily reconciliation reports against the trade bill.
 */
export class Payments1764000300000 implements MigrationInterface {
  name = "Payments1764000300000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const { engine, id, str, at, text, int, bool, index } = columnBuilders(queryRunner);

    await queryRunner.createTable(
      new Table({
        name: "pay_order",
        ...engine,
        columns: [
          id(),
          str("out_trade_no", 32),
          str("purpose", 12),
          str("fan_openid", 64),
          id("binding_id", true),
          str("customer_number", 32, true),
          str("bill_month", 7, true),
          text("bill_months", true),
          id("application_id", true),
          str("open_key", 160, true),
          str("description", 127),
          int("amount_fen"),
          str("status", 10),
          str("trade_state", 16, true),
          str("transaction_id", 32, true),
          at("expires_at"),
          at("paid_at", true),
          str("paid_via", 8, true),
          at("closed_at", true),
          at("credited_at", true),
          int("credit_attempts", { default: 0 }),
          str("credit_error", 200, true),
          text("settled_months", true),
          bool("needs_refund", false),
          int("refunded_fen", { default: 0 }),
          at("last_queried_at", true),
          at("created_at"),
          at("updated_at"),
        ],
        indices: [
          index("ux_pay_order_out_trade_no", ["out_trade_no"], true),
          index("ux_pay_order_open_key", ["open_key"], true),
          index("ix_pay_order_fan", ["fan_openid", "created_at"]),
          index("ix_pay_order_status", ["status", "created_at"]),
          index("ix_pay_order_paid_at", ["paid_at"]),
          index("ix_pay_order_customer", ["customer_number", "created_at"]),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "pay_refund",
        ...engine,
        columns: [
          id(),
          id("order_id"),
          str("out_refund_no", 64),
          str("refund_id", 32, true),
          int("amount_fen"),
          str("reason", 80),
          str("status", 10),
          id("requested_by"),
          str("error", 200, true),
          at("succeeded_at", true),
          at("debited_at", true),
          at("created_at"),
          at("updated_at"),
        ],
        indices: [
          index("ux_pay_refund_out_refund_no", ["out_refund_no"], true),
          index("ix_pay_refund_order", ["order_id", "created_at"]),
          index("ix_pay_refund_status", ["status", "created_at"]),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "pay_anomaly",
        ...engine,
        columns: [id(), str("kind", 20), str("source", 16), str("out_trade_no", 64, true), id("order_id", true), str("dedupe_key", 120), text("detail"), at("created_at")],
        indices: [index("ux_pay_anomaly_dedupe", ["dedupe_key"], true), index("ix_pay_anomaly_at", ["created_at"])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "pay_reconciliation",
        ...engine,
        columns: [
          id(),
          str("bill_date", 10),
          str("status", 10),
          int("local_count"),
          int("local_fen"),
          int("remote_count"),
          int("remote_fen"),
          text("mismatches"),
          str("run_by", 36),
          at("ran_at"),
        ],
        indices: [index("ux_pay_reconciliation_date", ["bill_date"], true)],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ["pay_reconciliation", "pay_anomaly", "pay_refund", "pay_order"]) await queryRunner.dropTable(table);
  }
}
