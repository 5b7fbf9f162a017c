import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, Worker } from 'bullmq';

import { APP_CONFIG, AppConfig } from '../infra/config';
import { APP_LOGGER, AppLogger } from '../infra/logging/logger';
import { DispatchJobData, QUEUES } from '../infra/queue/queue.constants';
import { redisOptionsFromUrl } from '../infra/queue/redis-options';
import { ActionQueues, ActionRegistry, ActionRunsService, toActionMessage } from '../actions';
import { MessagesService } from '../messages';

/**
 * Consumes the message queue: each job turns one stored message into its
 * action runs. Dispatching a message twice changes nothing the second time.
 */
@Injectable()
export class MessageDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker?: Worker<DispatchJobData>;

  constructor(
    private readonly messages: MessagesService,
    private readonly registry: ActionRegistry,
    private readonly runs: ActionRunsService,
    private readonly queues: ActionQueues,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker<DispatchJobData>(QUEUES.messages, (job) => this.process(job), {
      connection: redisOptionsFromUrl(this.config.redis.url),
      prefix: this.config.redis.queuePrefix,
      concurrency: this.config.worker.messageConcurrency,
    });
    this.worker.on('error', (error) => this.logger.warn({ err: error }, 'message worker error'));
    this.worker.on('failed', (job, error) =>
      this.logger.warn(
        { err: error, jobId: job?.id, messageId: job?.data.messageId },
        'dispatch failed',
      ),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }

  async process(job: Job<DispatchJobData>): Promise<void> {
    const { messageId, correlationId } = job.data;
    const log = this.logger.child({
      messageId,
      correlationId,
      jobId: job.id,
      attempt: job.attemptsMade + 1,
    });
    const message = await this.messages.findById(messageId);

    if (!message) {
      // The row is the record of truth; a job without one cannot succeed by retrying.
      throw new Error(`message ${messageId} is not stored`);
    }
    if (message.dispatchedAt) {
      log.debug('message already dispatched');

      return;
    }

    const actions = this.registry.route(toActionMessage(message));

    if (actions.length === 0) {
      await this.messages.markDispatched(messageId, 'unrouted');
      log.info('message matches no route');

      return;
    }

    // Runs are keyed by (message, action) and jobs by run: repeating this creates nothing new.
    const runs = await this.runs.createRuns(
      messageId,
      actions.map(({ definition }) => ({ name: definition.name, type: definition.type })),
    );

    await this.queues.enqueueRuns(runs, correlationId);
    await this.messages.markDispatched(messageId, 'dispatched');
    log.info({ actions: actions.map(({ definition }) => definition.name) }, 'message dispatched');
  }
}
