import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '../infra/config';
import { APP_LOGGER, AppLogger } from '../infra/logging/logger';
import { MessageEnqueuer, MessagesService } from '../messages';

const SWEEP_BATCH = 500;

/**
 * Enqueues messages that were committed but never confirmed enqueued: Redis
 * was down or slow when they arrived, or the process died between commit and
 * enqueue. Several sweepers may run at once; enqueueing twice is a no-op.
 */
@Injectable()
export class OutboxSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly messages: MessagesService,
    private readonly enqueuer: MessageEnqueuer,
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

    return total;
  }
}
