import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, UnrecoverableError, Worker } from 'bullmq';

import { APP_CONFIG, AppConfig } from '../infra/config';
import { APP_LOGGER, AppLogger } from '../infra/logging/logger';
import { actionQueueName } from '../infra/queue/queue.constants';
import { redisOptionsFromUrl } from '../infra/queue/redis-options';
import { MessagesService } from '../messages';
import { ActionError } from './action-error';
import { ActionResult } from './action-handler';
import { toActionMessage } from './action-message';
import { ActionJobData, ActionQueues } from './action-queues.service';
import { ActionRegistry } from './action-registry.service';
import { ActionRunEntity } from './action-run.entity';
import { ActionRunsService } from './action-runs.service';
import { RetryPolicy } from './actions-config';
import { retryDelay } from './backoff';
import { LoadedAction } from './load-actions-config';

/** A job may stall (its worker died) this often before BullMQ gives up on it. */
const MAX_STALLED = 5;

/**
 * One BullMQ worker per configured action, each with the action's own
 * concurrency, rate limit and backoff. Every attempt is claimed in Postgres
 * first, so a run that already succeeded is never executed again.
 */
@Injectable()
export class ActionWorkers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly workers: Worker<ActionJobData>[] = [];

  constructor(
    private readonly registry: ActionRegistry,
    private readonly runs: ActionRunsService,
    private readonly queues: ActionQueues,
    private readonly messages: MessagesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    for (const name of this.registry.names) {
      const policy = (this.registry.find(name) as LoadedAction).definition.retry;
      const worker = new Worker<ActionJobData>(actionQueueName(name), (job) => this.process(job), {
        connection: redisOptionsFromUrl(this.config.redis.url),
        prefix: this.config.redis.queuePrefix,
        concurrency: policy.concurrency,
        limiter: policy.rateLimit
          ? { max: policy.rateLimit.max, duration: policy.rateLimit.durationMs }
          : undefined,
        lockDuration: this.config.worker.lockDurationMs,
        stalledInterval: this.config.worker.lockDurationMs,
        maxStalledCount: MAX_STALLED,
        settings: {
          backoffStrategy: (attemptsMade, _type, error) => retryDelay(policy, attemptsMade, error),
        },
      });

      worker.on('error', (error) =>
        this.logger.warn({ err: error, actionName: name }, 'action worker error'),
      );
      this.workers.push(worker);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.workers.map((worker) => worker.close()));
  }

  /** Load the rows, pick the handler, bind the log context, run. */
  async process(job: Job<ActionJobData>): Promise<ActionResult | void> {
    const { runId, messageId, actionName, correlationId } = job.data;
    const run = await this.runs.startAttempt(runId);
    const log = this.logger.child({ messageId, actionName, runId, correlationId, jobId: job.id });

    if (!run) {
      log.info('run already finished; nothing to do');

      return;
    }

    const action = this.registry.find(actionName);
    const message = await this.messages.findById(messageId);
    const attemptLog = log.child({ attempt: run.attempts });

    try {
      if (!action) {
        throw ActionError.permanent(
          'action_not_configured',
          `action "${actionName}" is not in the configuration`,
        );
      }
      if (!message) {
        throw ActionError.permanent('message_missing', `message ${messageId} is not stored`);
      }

      const result = await this.runWithTimeout(action, run, {
        message: toActionMessage(message),
        attemptLog,
      });

      await this.runs.markSucceeded(runId, result);
      attemptLog.info({ status: result?.status }, 'action succeeded');

      return result;
    } catch (error) {
      throw await this.recordFailure(
        job,
        run,
        action?.definition.retry,
        classify(error),
        attemptLog,
      );
    }
  }

  private async runWithTimeout(
    action: LoadedAction,
    run: ActionRunEntity,
    { message, attemptLog }: { message: ReturnType<typeof toActionMessage>; attemptLog: AppLogger },
  ): Promise<ActionResult | void> {
    // Limitation: a handler that ignores `signal` keeps running after its attempt timed out,
    // so a slow side effect may still land while the retry is scheduled.
    const timeoutMs = action.definition.retry.timeoutMs;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(ActionError.retryable('timeout', `attempt exceeded ${timeoutMs} ms`));
      }, timeoutMs);
    });

    try {
      return await Promise.race([
        action.handler.execute(action.prepared, {
          message,
          actionName: action.definition.name,
          runId: run.id,
          attempt: run.attempts,
          // Stable for the (message, action) pair, whatever retries or replays happen.
          idempotencyKey: `maiagent-${run.id}`,
          signal: controller.signal,
          logger: attemptLog,
        }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Records the failed attempt and returns what to throw: BullMQ's
   * UnrecoverableError for a dead run, so it stops retrying, or the
   * ActionError itself, whose `retryAfterMs` the backoff strategy reads.
   */
  private async recordFailure(
    job: Job<ActionJobData>,
    run: ActionRunEntity,
    policy: RetryPolicy | undefined,
    error: ActionError,
    log: AppLogger,
  ): Promise<Error> {
    const attempts = job.opts.attempts ?? policy?.attempts ?? 1;
    const isDead = !error.isRetryable || job.attemptsMade + 1 >= attempts;

    await this.runs.markFailed(run.id, error, isDead);
    if (!isDead) {
      log.warn(
        { err: error, code: error.code, status: error.status },
        'action failed; retry scheduled',
      );

      return error;
    }
    await this.queues.addDeadLetter(
      {
        runId: run.id,
        messageId: run.messageId,
        actionName: run.actionName,
        attempts: run.attempts,
        errorCode: error.code,
        errorDetail: error.message,
        status: error.status ?? null,
        deadAt: new Date().toISOString(),
      },
      run.replayCount,
    );
    log.error({ err: error, code: error.code, status: error.status }, 'action dead-lettered');

    return error.isRetryable ? error : new UnrecoverableError(`${error.code}: ${error.message}`);
  }
}

/** Unknown errors are treated as transient: a bug fixed by a deploy should not lose the run. */
function classify(error: unknown): ActionError {
  if (error instanceof ActionError) {
    return error;
  }

  return ActionError.retryable(
    'unexpected_error',
    error instanceof Error ? error.message : String(error),
    {
      cause: error,
    },
  );
}
