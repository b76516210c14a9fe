import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/** 内部沟通: a one-to-one message between agents. */
@Entity("internal_message")
@Index("ix_internal_message_to_read", ["toAgentId", "readAt"])
@Index("ix_internal_message_pair", ["fromAgentId", "toAgentId", "createdAt"])
export class InternalMessage {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Column({ name: "from_agent_id", type: "varchar", length: 36 })
  fromAgentId: string;

  @Column({ name: "to_agent_id", type: "varchar", length: 36 })
  toAgentId: string;

  @Column({ type: "text" })
  content: string;

  @Column({ name: "created_at", type: "datetime", precision: 3 })
  createdAt: Date;

  @Column({ name: "read_at", type: "datetime", precision: 3, nullable: true })
  readAt: Date | null;
}
