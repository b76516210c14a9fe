import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/** A business process guide (办事指南): what to bring and the steps, shown to fans as published. */
@Entity("guide")
@Index("ix_guide_order", ["position", "id"])
export class Guide {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ type: "varchar", length: 100 })
  title: string;

  /** e.g. 开户过户, 缴费, 报装; fans filter by it. */
  @Column({ type: "varchar", length: 30 })
  category: string;

  @Column({ type: "varchar", length: 300 })
  summary: string;

  /** The steps in order, each a short paragraph. */
  @Column({ type: "simple-json" })
  steps: string[];

  /** Materials, fees, notes: free text below the steps. */
  @Column({ type: "text" })
  body: string;

  @Column({ type: "int" })
  position: number;

  @Column({ type: "boolean" })
  published: boolean;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;

  @Column({ name: "updated_at", type: "datetime", precision: 3 })
  updatedAt: Date;
}

/** One price step of a fee standard: volumes above lowerM3 up to upperM3 (null = no bound) per m³. */
export interface FeeTier {
  lowerM3: number;
  upperM3: number | null;
  unitPriceFen: number;
}

/**
 * A published fee standard (收费标准), e.g. 居民生活用水 with its tiers, or a flat price (one tier from 0
 * without bound). Money in integer fen per m³; tier ranges per `period` (per household).
 */
@Entity("fee_standard")
@Index("ix_fee_standard_order", ["position", "id"])
export class FeeStandard {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ type: "varchar", length: 50 })
  name: string;

  /** Who it applies to (适用范围). */
  @Column({ type: "varchar", length: 300 })
  description: string;

  /** The period the tier ranges count over. */
  @Column({ type: "varchar", length: 10 })
  period: "month" | "year";

  @Column({ type: "simple-json" })
  tiers: FeeTier[];

  @Column({ type: "text" })
  notes: string;

  /**
   * Marks the standard that should equal the billing system's tiered price: the admin page compares the
   * two and warns when they differ (the billing system, not this table, computes bills).
   */
  @Column({ name: "billing_tariff", type: "boolean" })
  billingTariff: boolean;

  @Column({ type: "int" })
  position: number;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;

  @Column({ name: "updated_at", type: "datetime", precision: 3 })
  updatedAt: Date;
}

/** A service outlet (营业网点) fans can visit; coordinates are GCJ-02, what WeChat's location API returns. */
@Entity("service_outlet")
@Index("ix_service_outlet_order", ["position", "id"])
export class ServiceOutlet {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ type: "varchar", length: 50 })
  name: string;

  @Column({ type: "varchar", length: 200 })
  address: string;

  /** Opening hours as shown, e.g. 周一至周五 8:30–17:30. */
  @Column({ type: "varchar", length: 100 })
  hours: string;

  @Column({ type: "varchar", length: 30 })
  phone: string;

  /** What can be done there (e.g. 缴费、开户、过户). */
  @Column({ type: "varchar", length: 200 })
  services: string;

  @Column({ type: "double" })
  latitude: number;

  @Column({ type: "double" })
  longitude: number;

  @Column({ type: "int" })
  position: number;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;

  @Column({ name: "updated_at", type: "datetime", precision: 3 })
  updatedAt: Date;
}
