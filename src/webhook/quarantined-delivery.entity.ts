import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * A JSON delivery that failed validation, kept with the reasons so that it can
 * be replayed once the cause is fixed. Identical bodies are stored once.
 */
@Entity({ name: 'quarantined_deliveries' })
@Unique('UQ_quarantined_deliveries_body_hash', ['bodyHash'])
export class QuarantinedDeliveryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  source!: string;

  /** SHA-256 of the raw body. */
  @Column({ name: 'body_hash', type: 'char', length: 64 })
  bodyHash!: string;

  @Column({ name: 'raw_body', type: 'bytea' })
  rawBody!: Buffer;

  /** Every validation problem found, one sentence each. */
  @Column({ type: 'jsonb' })
  problems!: string[];

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'replayed_at', type: 'timestamptz', nullable: true })
  replayedAt!: Date | null;

  /** Message the delivery became when a replay accepted it. */
  @Column({ name: 'message_id', type: 'varchar', length: 255, nullable: true })
  messageId!: string | null;
}
