import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';

/**
 * pending: created, not yet attempted; running: an attempt is under way;
 * failed: the last attempt failed and a retry is scheduled; succeeded: the
 * side effect happened; dead: permanent failure or attempts exhausted.
 */
export type RunState = 'pending' | 'running' | 'failed' | 'succeeded' | 'dead';

/**
 * One (message, action) pair. This row, not the queue job, decides whether
 * the action still has to run: a succeeded run is never executed again.
 */
@Entity({ name: 'action_runs' })
@Unique('UQ_action_runs_message_action', ['messageId', 'actionName'])
@Index('IDX_action_runs_state_updated', ['state', 'updatedAt'])
export class ActionRunEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'message_id', type: 'varchar', length: 255 })
  messageId!: string;

  @Column({ name: 'action_name', type: 'varchar', length: 100 })
  actionName!: string;

  @Column({ name: 'action_type', type: 'varchar', length: 100 })
  actionType!: string;

  @Column({ type: 'varchar', length: 20, default: 'pending' })
  state!: RunState;

  /** Attempts since the run was created or last replayed. */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** How often an operator put the run back; part of its queue job id. */
  @Column({ name: 'replay_count', type: 'integer', default: 0 })
  replayCount!: number;

  @Column({ name: 'last_error_code', type: 'varchar', length: 100, nullable: true })
  lastErrorCode!: string | null;

  @Column({ name: 'last_error_detail', type: 'text', nullable: true })
  lastErrorDetail!: string | null;

  /** Downstream status code of the last attempt (HTTP or SMTP), when there was one. */
  @Column({ name: 'last_status', type: 'integer', nullable: true })
  lastStatus!: number | null;

  @Column({ name: 'result_detail', type: 'text', nullable: true })
  resultDetail!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt!: Date | null;

  @Column({ name: 'succeeded_at', type: 'timestamptz', nullable: true })
  succeededAt!: Date | null;

  @Column({ name: 'dead_at', type: 'timestamptz', nullable: true })
  deadAt!: Date | null;
}
