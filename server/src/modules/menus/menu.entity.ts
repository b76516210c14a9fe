import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import type { Menu } from "../../wechat/api/menu";

/** The one menu draft the editor works on (id is always MENU_DRAFT_ID); saved freely, published on demand. */
@Entity("menu_draft")
export class MenuDraft {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  /** WeChat's own JSON shape ({ button: [...] }), already validated. */
  @Column({ type: "simple-json" })
  menu: Menu;

  /** The agent who saved it last; null when seeded. */
  @Column({ name: "updated_by", type: "varchar", length: 36, nullable: true })
  updatedBy: string | null;

  @Column({ name: "updated_at", type: "datetime", precision: 3 })
  updatedAt: Date;
}

export const MENU_DRAFT_ID = "main";

/** One publish: the menu sent to WeChat and the outbox row that carries it (its status is the outcome). */
@Entity("menu_publication")
@Index("ix_menu_publication_created", ["createdAt"])
export class MenuPublication {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ type: "simple-json" })
  menu: Menu;

  /** The publishing agent; null for the sandbox's automatic first publish. */
  @Column({ name: "published_by", type: "varchar", length: 36, nullable: true })
  publishedBy: string | null;

  @Column({ name: "outbox_id", type: "varchar", length: 36 })
  outboxId: string;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;
}
