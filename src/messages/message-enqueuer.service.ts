import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';

import { Batcher } from '../infra/batching/batcher';
import { APP_CONFIG, AppConfig } from '../infra/config';
import { APP_LOGGER, AppLogger } from '../infra/logging/logger';
import { DispatchJobData, JOBS, QUEUES, dispatchJobId } from '../infra/queue/queue.constants';

/**
 * Hands committed messages to BullMQ and records that it did. Enqueueing is
 * at-least-once and idempotent (job ids derive from message ids); a failure
 * here only delays processing, since the sweeper retries what has no
 * `enqueued_at`.
 */
@Injectable()
export class MessageEnqueuer implements OnModuleInit, OnModuleDestroy {
  private readonly pending = new Set<Promise<void>>();
  /**
   * One enqueue in flight at a time: while it runs, messages committed by
   * later batches gather and leave together, in one Redis pipeline and one UPDATE.
   */
  private readonly batcher = new Batcher<DispatchJobData, void>(
    (items) => this.enqueueOrLog(items),
    {
      maxBatchSize: 1000,
      maxConcurrentFlushes: 1,
    },
  );

  constructor(
    @InjectQueue(QUEUES.messages) private readonly queue: Queue<DispatchJobData>,
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  onModuleInit(): void {
    this.queue.on('error', (error) =>
      this.logger.debug({ err: error }, 'message queue connection error'),
    );
  }

  /** Starts enqueueing in the background; the caller does not wait for Redis. */
  enqueueSoon(items: DispatchJobData[]): void {
    for (const item of items) {
      const attempt = this.batcher.submit(item);

      this.pending.add(attempt);
      void attempt.finally(() => this.pending.delete(attempt));
    }
  }

  private async enqueueOrLog(items: DispatchJobData[]): Promise<void[]> {
    try {
      await this.enqueue(items);
    } catch (error) {
      this.logger.warn(
        { err: error, count: items.length },
        'enqueue failed; the outbox sweeper will retry',
      );
    }

    return items.map(() => undefined);
  }

  /** Adds the dispatch jobs, then marks the messages enqueued. Throws on failure. */
  async enqueue(items: DispatchJobData[]): Promise<void> {
    const jobs = items.map((data) => ({
      name: JOBS.dispatchMessage,
      data,
      opts: { jobId: dispatchJobId(data.messageId) },
    }));

    await withTimeout(
      this.queue.addBulk(jobs),
      this.config.outbox.enqueueTimeoutMs,
      'enqueue to Redis',
    );
    await this.dataSource.query(
      'UPDATE messages SET enqueued_at = now() WHERE message_id = ANY($1) AND enqueued_at IS NULL',
      [items.map((item) => item.messageId)],
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });

  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
