import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '../infra/config';
import { APP_LOGGER, AppLogger } from '../infra/logging/logger';
import { ActionQueues, ActionRunsService } from '../actions';
import { MessageEnqueuer, MessagesService } from '../messages';

const SWEEP_BATCH = 500;

/**
 * Enqueues messages that were committed but never confirmed enqueued: Redis
 * was down or slow when they arrived, or the process died between commit and
 * enqueue. Less often it also re-checks work that should have finished long
 * ago (Redis keeps nothing on disk, so a restart loses queued jobs): stale
 * undispatched messages and stale live runs get their job back. Several
 * sweepers may run at once; enqueueing twice is a no-op.
 */
@Injectable()
export class OutboxSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly messages: MessagesService,
    private readonly enqueuer: MessageEnqueuer,
    private readonly runs: ActionRunsService,
    private readonly queues: ActionQueues,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      // Never overlap sweeps: a slow one simply delays the next.
      this.running ??= this.sweep()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'outbox sweep failed'))
        .finally(() => (this.running = undefined));
    }, this.config.outbox.sweepIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Enqueues every missed message, oldest first; returns how many. */
  async sweep(): Promise<number> {
    let total = 0;

    for (;;) {
      const batch = await this.messages.findNotEnqueued(
        this.config.outbox.sweepGraceMs,
        SWEEP_BATCH,
      );

      if (batch.length === 0) {
        break;
      }
      await this.enqueuer.enqueue(batch);
      total += batch.length;
      if (batch.length < SWEEP_BATCH) {
        break;
      }
    }
    if (total > 0) {
      this.logger.info({ count: total }, 'outbox sweep enqueued missed messages');
    }

    return total + (await this.reconcileStale());
  }

  /** Re-adds jobs for stale messages and runs; returns how many were checked. */
  private async reconcileStale(): Promise<number> {
    const staleMs = this.config.outbox.staleMs;
    const messages = await this.messages.findStaleUndispatched(staleMs, SWEEP_BATCH);
    const runs = await this.runs.findStale(staleMs, SWEEP_BATCH);

    if (messages.length > 0) {
      await this.enqueuer.enqueue(messages);
    }
    for (const run of runs) {
      await this.queues.ensureRunJob(run);
    }
    await this.runs.touch(runs.map((run) => run.id));
    if (messages.length + runs.length > 0) {
      this.logger.info({ messages: messages.length, runs: runs.length }, 'stale work re-checked');
    }

    return messages.length + runs.length;
  }
}
