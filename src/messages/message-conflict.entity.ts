import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A delivery that reused a stored message id with different content. The first
 * delivery stays authoritative; this row keeps the other for an operator.
 */
@Entity({ name: 'message_conflicts' })
export class MessageConflictEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Index('IDX_message_conflicts_message_id')
  @Column({ name: 'message_id', type: 'varchar', length: 255 })
  messageId!: string;

  @Column({ type: 'varchar', length: 100 })
  source!: string;

  @Column({ name: 'content_hash', type: 'char', length: 64 })
  contentHash!: string;

  @Column({ name: 'raw_body', type: 'bytea' })
  rawBody!: Buffer;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
