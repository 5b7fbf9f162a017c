import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Job, JobsOptions, Queue } from 'bullmq';

import { APP_CONFIG, AppConfig } from '../infra/config';
import { APP_LOGGER, AppLogger } from '../infra/logging/logger';
import { JOBS, QUEUES, actionQueueName } from '../infra/queue/queue.constants';
import { producerRedisOptions } from '../infra/queue/redis-options';
import { ActionRegistry } from './action-registry.service';
import { RunRef } from './action-runs.service';

export interface ActionJobData {
  runId: string;
  messageId: string;
  actionName: string;
  correlationId: string | null;
}

export interface DeadLetterJobData {
  runId: string;
  messageId: string;
  actionName: string;
  attempts: number;
  errorCode: string;
  errorDetail: string;
  status: number | null;
  deadAt: string;
}

/** Failed jobs are kept for inspection, but bounded so Redis cannot fill up. */
const KEEP_FAILED = { count: 5_000, age: 14 * 24 * 3600 };
const KEEP_COMPLETED = { count: 1_000, age: 24 * 3600 };

/** Queue job id of a run; a replay gets a new id because the old job may still be kept as failed. */
export function runJobId(run: Pick<RunRef, 'id' | 'replayCount'>): string {
  return run.replayCount > 0 ? `run_${run.id}_r${run.replayCount}` : `run_${run.id}`;
}

/** Producers for the per-action queues and the dead-letter queue. */
@Injectable()
export class ActionQueues implements OnModuleInit, OnModuleDestroy {
  readonly deadLetters: Queue<DeadLetterJobData>;
  private readonly queues = new Map<string, Queue<ActionJobData>>();

  constructor(
    private readonly registry: ActionRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {
    this.deadLetters = this.createQueue<DeadLetterJobData>(QUEUES.deadLetters);
    for (const name of registry.names) {
      this.queues.set(name, this.createQueue<ActionJobData>(actionQueueName(name)));
    }
  }

  onModuleInit(): void {
    for (const queue of this.all()) {
      queue.on('error', (error) =>
        this.logger.debug({ err: error, queue: queue.name }, 'queue connection error'),
      );
    }
  }

  /** Every queue this service owns, for dashboards. */
  all(): Queue[] {
    return [...this.queues.values(), this.deadLetters];
  }

  /** Action queues by action name. */
  entries(): [string, Queue<ActionJobData>][] {
    return [...this.queues.entries()];
  }

  /** Adds one job per run; a run that already has its job is left alone. */
  async enqueueRuns(runs: RunRef[], correlationId: string | null): Promise<void> {
    const byAction = new Map<string, RunRef[]>();

    for (const run of runs) {
      byAction.set(run.actionName, [...(byAction.get(run.actionName) ?? []), run]);
    }
    for (const [actionName, group] of byAction) {
      const queue = this.queues.get(actionName);

      if (!queue) {
        // The action was removed from the configuration after the run was created.
        this.logger.error(
          { actionName, runs: group.length },
          'runs for an action that is no longer configured',
        );
        continue;
      }
      await queue.addBulk(
        group.map((run) => ({
          name: JOBS.runAction,
          data: { runId: run.id, messageId: run.messageId, actionName, correlationId },
          opts: this.jobOptions(actionName, runJobId(run)),
        })),
      );
    }
  }

  /**
   * Makes sure a live run has a job that will run: re-adds a lost job and
   * retries one BullMQ already gave up on (e.g. stalled too often).
   */
  async ensureRunJob(run: RunRef): Promise<void> {
    const queue = this.queues.get(run.actionName);
    const existing = queue ? await queue.getJob(runJobId(run)) : undefined;

    if (existing && (await existing.isFailed())) {
      await existing.retry('failed', { resetAttemptsMade: true });

      return;
    }
    if (!existing) {
      await this.enqueueRuns([run], null);
    }
  }

  async addDeadLetter(data: DeadLetterJobData, replayCount: number): Promise<void> {
    await this.deadLetters.add(JOBS.deadLetter, data, {
      jobId: `dead_${data.runId}_${replayCount}`,
      removeOnComplete: KEEP_FAILED,
      removeOnFail: KEEP_FAILED,
    });
  }

  /** Drops a run's dead-letter entry once it has been replayed. */
  async removeDeadLetter(runId: string, previousReplayCount: number): Promise<void> {
    const job: Job | undefined = await this.deadLetters.getJob(
      `dead_${runId}_${previousReplayCount}`,
    );

    await job?.remove();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled(this.all().map((queue) => queue.close()));
  }

  private jobOptions(actionName: string, jobId: string): JobsOptions {
    const retry = this.registry.find(actionName)?.definition.retry;

    return {
      jobId,
      attempts: retry?.attempts ?? 1,
      // The delay is computed by the worker's backoff strategy (it honours Retry-After).
      backoff: { type: 'action-policy' },
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: KEEP_FAILED,
    };
  }

  private createQueue<T>(name: string): Queue<T> {
    return new Queue<T>(name, {
      connection: producerRedisOptions(this.config.redis.url),
      prefix: this.config.redis.queuePrefix,
    });
  }
}
