import { Inject, Injectable } from '@nestjs/common';

import { ActionQueues, ActionRunEntity, ActionRunsService, ReplayFilter } from '../actions';
import { APP_LOGGER, AppLogger } from '../infra/logging/logger';

export interface ReplayReport {
  /** Runs put back with fresh attempts. */
  replayed: number;
  runIds: string[];
}

/** Dead runs: listing them and putting them back. */
@Injectable()
export class DeadLettersService {
  constructor(
    private readonly runs: ActionRunsService,
    private readonly queues: ActionQueues,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  list(limit = 100): Promise<ActionRunEntity[]> {
    return this.runs.findByState('dead', limit);
  }

  /**
   * Puts matching dead runs back with fresh attempts. Safe to repeat: a run
   * leaves the dead state in the same statement that selects it, so a second
   * replay finds nothing. If Redis is down the runs stay pending in Postgres
   * and the sweeper enqueues them later.
   */
  async replay(filter: ReplayFilter): Promise<ReplayReport> {
    const runs = await this.runs.replay(filter);

    if (runs.length > 0) {
      await this.queues.enqueueRuns(runs, null);
      await Promise.allSettled(
        runs.map((run) => this.queues.removeDeadLetter(run.id, run.replayCount - 1)),
      );
      this.logger.info({ count: runs.length, filter }, 'dead runs replayed');
    }

    return { replayed: runs.length, runIds: runs.map((run) => run.id) };
  }
}
