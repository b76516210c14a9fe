import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/** A category of quick replies: personal (ownerAgentId set) or team (null). */
@Entity("quick_reply_category")
@Index("ix_quick_reply_category_owner", ["ownerAgentId", "position"])
export class QuickReplyCategory {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "owner_agent_id", type: "varchar", length: 36, nullable: true })
  ownerAgentId: string | null;

  @Column({ type: "varchar", length: 50 })
  name: string;

  @Column({ type: "int", default: 0 })
  position: number;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;
}

@Entity("quick_reply")
@Index("ix_quick_reply_category", ["categoryId", "position"])
export class QuickReply {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "category_id", type: "varchar", length: 36 })
  categoryId: string;

  /** Same as the category's owner (denormalised for the search query). */
  @Column({ name: "owner_agent_id", type: "varchar", length: 36, nullable: true })
  ownerAgentId: string | null;

  @Column({ type: "varchar", length: 50, nullable: true })
  title: string | null;

  @Column({ type: "text" })
  content: string;

  @Column({ type: "int", default: 0 })
  position: number;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;

  @Column({ name: "updated_at", type: "datetime", precision: 3 })
  updatedAt: Date;
}
