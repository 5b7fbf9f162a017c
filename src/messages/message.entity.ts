import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** Where a message is in its life; `enqueuedAt` tracks the hand-off to Redis separately. */
export type MessageStatus = 'received' | 'dispatched' | 'unrouted';

/**
 * One MaiAgent message, stored once however many deliveries of it arrive.
 * Postgres is the record of truth; queue jobs carry only `messageId`.
 */
@Entity({ name: 'messages' })
@Index('IDX_messages_not_enqueued', ['receivedAt'], { where: 'enqueued_at IS NULL' })
@Index('IDX_messages_not_dispatched', ['enqueuedAt'], { where: 'dispatched_at IS NULL' })
export class MessageEntity {
  @PrimaryColumn({ name: 'message_id', type: 'varchar', length: 255 })
  messageId!: string;

  /** Name of the configured sender the delivery authenticated as. */
  @Column({ type: 'varchar', length: 100 })
  source!: string;

  @Column({ type: 'varchar', length: 255 })
  conversation!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  type!: string | null;

  @Column({ name: 'sender_id', type: 'varchar', length: 255, nullable: true })
  senderId!: string | null;

  @Column({ name: 'sender_name', type: 'text', nullable: true })
  senderName!: string | null;

  @Column({ name: 'sender_avatar', type: 'text', nullable: true })
  senderAvatar!: string | null;

  @Column({ type: 'text', nullable: true })
  content!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  feedback!: Record<string, unknown> | null;

  @Column({ type: 'jsonb' })
  attachments!: unknown[];

  @Column({ type: 'jsonb' })
  citations!: Record<string, unknown>[];

  /** MaiAgent's own creation time of the message, when the payload gave one. */
  @Column({ name: 'message_created_at', type: 'timestamptz', nullable: true })
  messageCreatedAt!: Date | null;

  /** The request body exactly as received. */
  @Column({ name: 'raw_body', type: 'bytea' })
  rawBody!: Buffer;

  /** SHA-256 of the body's canonical JSON; a redelivery with another hash is a conflict. */
  @Column({ name: 'content_hash', type: 'char', length: 64 })
  contentHash!: string;

  @Column({ name: 'correlation_id', type: 'varchar', length: 128, nullable: true })
  correlationId!: string | null;

  @Column({ type: 'varchar', length: 20, default: 'received' })
  status!: MessageStatus;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'enqueued_at', type: 'timestamptz', nullable: true })
  enqueuedAt!: Date | null;

  @Column({ name: 'dispatched_at', type: 'timestamptz', nullable: true })
  dispatchedAt!: Date | null;
}
