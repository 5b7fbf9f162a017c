import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';

import { ActionError } from './action-error';
import { ActionResult } from './action-handler';
import { ActionRunEntity, RunState } from './action-run.entity';

/** What a replay selects: one run, or every dead run matching all given fields. */
export interface ReplayFilter {
  runId?: string;
  actionName?: string;
  errorCode?: string;
  /** Dead at or after this time. */
  deadAfter?: Date;
  /** Dead before this time. */
  deadBefore?: Date;
  /** Also put back runs that succeeded (runs the side effect again). */
  isForced?: boolean;
}

/** The run fields a queue job is built from. */
export interface RunRef {
  id: string;
  messageId: string;
  actionName: string;
  replayCount: number;
}

const LIVE_STATES: RunState[] = ['pending', 'running', 'failed'];

/**
 * State changes of action runs. Every transition is one conditional UPDATE,
 * so concurrent workers, retries and replays cannot move a run backwards.
 */
@Injectable()
export class ActionRunsService {
  constructor(
    @InjectRepository(ActionRunEntity) private readonly runs: Repository<ActionRunEntity>,
  ) {}

  /** Creates the message's runs that do not exist yet; returns all its live runs. */
  async createRuns(
    messageId: string,
    actions: { name: string; type: string }[],
  ): Promise<RunRef[]> {
    if (actions.length > 0) {
      await this.runs.query(
        `INSERT INTO action_runs (message_id, action_name, action_type)
         SELECT $1, name, type FROM unnest($2::varchar[], $3::varchar[]) AS t(name, type)
         ON CONFLICT (message_id, action_name) DO NOTHING`,
        [messageId, actions.map((action) => action.name), actions.map((action) => action.type)],
      );
    }

    return this.runs.query<RunRef[]>(
      `SELECT id, message_id AS "messageId", action_name AS "actionName", replay_count AS "replayCount"
       FROM action_runs WHERE message_id = $1 AND state = ANY($2)`,
      [messageId, LIVE_STATES],
    );
  }

  findById(id: string): Promise<ActionRunEntity | null> {
    return this.runs.findOneBy({ id });
  }

  /**
   * Claims the run for one attempt. Returns null when the run is already
   * succeeded or dead: the caller must then not execute the action.
   */
  async startAttempt(id: string): Promise<ActionRunEntity | null> {
    const rows = await this.runs.query<[ActionRunEntity[], number]>(
      `UPDATE action_runs SET state = 'running', attempts = attempts + 1,
         last_attempt_at = now(), updated_at = now()
       WHERE id = $1 AND state = ANY($2) RETURNING id`,
      [id, LIVE_STATES],
    );

    return rows[1] > 0 ? this.findById(id) : null;
  }

  async markSucceeded(id: string, result: ActionResult | void): Promise<void> {
    await this.runs.query(
      `UPDATE action_runs SET state = 'succeeded', succeeded_at = now(), updated_at = now(),
         last_status = $2, result_detail = $3, last_error_code = NULL, last_error_detail = NULL
       WHERE id = $1 AND state = 'running'`,
      [id, result?.status ?? null, result?.detail ?? null],
    );
  }

  /** Records a failed attempt: `failed` when a retry follows, `dead` otherwise. */
  async markFailed(id: string, error: ActionError, isDead: boolean): Promise<void> {
    await this.runs.query(
      `UPDATE action_runs SET state = $2::varchar, updated_at = now(),
         dead_at = CASE WHEN $2::varchar = 'dead' THEN now() END,
         last_error_code = $3, last_error_detail = $4, last_status = $5
       WHERE id = $1 AND state = 'running'`,
      [
        id,
        isDead ? 'dead' : 'failed',
        error.code,
        error.message.slice(0, 4000),
        error.status ?? null,
      ],
    );
  }

  /** Live runs not touched for a while: their queue job may have been lost. */
  findStale(olderThanMs: number, limit: number): Promise<RunRef[]> {
    return this.runs.query<RunRef[]>(
      `SELECT id, message_id AS "messageId", action_name AS "actionName", replay_count AS "replayCount"
       FROM action_runs
       WHERE state = ANY($1) AND updated_at < now() - make_interval(secs => $2::float8 / 1000)
       ORDER BY updated_at LIMIT $3`,
      [LIVE_STATES, olderThanMs, limit],
    );
  }

  /** Marks runs as looked at, so the stale check does not revisit them at once. */
  async touch(ids: string[]): Promise<void> {
    if (ids.length > 0) {
      await this.runs.query('UPDATE action_runs SET updated_at = now() WHERE id = ANY($1)', [ids]);
    }
  }

  /**
   * Puts matching runs back to pending with fresh attempts. A run is taken
   * once per call: repeating a replay finds nothing dead and does nothing.
   */
  async replay(filter: ReplayFilter): Promise<RunRef[]> {
    const states: RunState[] = filter.isForced ? ['dead', 'succeeded'] : ['dead'];
    const rows = await this.runs.query<[RunRef[], number]>(
      `UPDATE action_runs SET state = 'pending', attempts = 0, replay_count = replay_count + 1,
         dead_at = NULL, updated_at = now()
       WHERE state = ANY($1)
         AND ($2::uuid IS NULL OR id = $2)
         AND ($3::varchar IS NULL OR action_name = $3)
         AND ($4::varchar IS NULL OR last_error_code = $4)
         AND ($5::timestamptz IS NULL OR dead_at >= $5)
         AND ($6::timestamptz IS NULL OR dead_at < $6)
       RETURNING id, message_id AS "messageId", action_name AS "actionName", replay_count AS "replayCount"`,
      [
        states,
        filter.runId ?? null,
        filter.actionName ?? null,
        filter.errorCode ?? null,
        filter.deadAfter ?? null,
        filter.deadBefore ?? null,
      ],
    );

    return rows[0];
  }

  findByMessage(messageId: string): Promise<ActionRunEntity[]> {
    return this.runs.find({ where: { messageId }, order: { createdAt: 'ASC' } });
  }

  findByState(state: RunState, limit: number): Promise<ActionRunEntity[]> {
    return this.runs.find({ where: { state }, order: { updatedAt: 'DESC' }, take: limit });
  }
}
