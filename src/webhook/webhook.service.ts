import { createHash } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '../infra/config';
import { APP_LOGGER, AppLogger } from '../infra/logging/logger';
import { MessageStore, StoreOutcome } from '../messages';
import { parsePayload } from './parse-payload';
import { QuarantineService } from './quarantine.service';

export interface Delivery {
  rawBody: Buffer;
  /** The body parsed as JSON. */
  body: unknown;
  source: string;
  correlationId: string | null;
}

export type DeliveryResult =
  | { kind: 'stored'; outcome: StoreOutcome }
  | { kind: 'quarantined' }
  | { kind: 'rejected'; problems: string[] };

/** Counts since start-up, for the admin API and tests. */
export interface WebhookCounters {
  created: number;
  duplicate: number;
  conflict: number;
  quarantined: number;
  rejected: number;
}

/** How many distinct rejected bodies are remembered so that retries are logged once. */
const REJECTED_LOG_MEMORY = 1000;

/**
 * Intake of one delivery: validate, then either store it as a message or deal
 * with it as invalid (quarantine or reject, per configuration). Storage
 * failures propagate so that the caller answers 503 and MaiAgent retries.
 */
@Injectable()
export class WebhookService {
  readonly counters: WebhookCounters = {
    created: 0,
    duplicate: 0,
    conflict: 0,
    quarantined: 0,
    rejected: 0,
  };
  private readonly loggedRejections = new Set<string>();

  constructor(
    private readonly store: MessageStore,
    private readonly quarantine: QuarantineService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  async receive(delivery: Delivery): Promise<DeliveryResult> {
    const parsed = parsePayload(delivery.body);

    if (!parsed.isValid) {
      return this.handleInvalid(delivery, parsed.problems);
    }

    const outcome = await this.store.store({
      ...parsed.payload,
      source: delivery.source,
      rawBody: delivery.rawBody,
      correlationId: delivery.correlationId,
    });

    this.counters[outcome] += 1;

    return { kind: 'stored', outcome };
  }

  /**
   * Feeds a quarantined delivery through validation again, e.g. after the
   * validation rules were relaxed. Repeating it is harmless: storing is idempotent.
   */
  async replayQuarantined(id: string): Promise<DeliveryResult> {
    const entry = await this.quarantine.findById(id);

    if (!entry) {
      throw new Error(`no quarantined delivery with id ${id}`);
    }

    const parsed = parsePayload(JSON.parse(entry.rawBody.toString('utf8')));

    if (!parsed.isValid) {
      await this.quarantine.updateProblems(id, parsed.problems);

      return { kind: 'rejected', problems: parsed.problems };
    }

    const outcome = await this.store.store({
      ...parsed.payload,
      source: entry.source,
      rawBody: entry.rawBody,
      correlationId: null,
    });

    await this.quarantine.markReplayed(id, parsed.payload.messageId);

    return { kind: 'stored', outcome };
  }

  private async handleInvalid(delivery: Delivery, problems: string[]): Promise<DeliveryResult> {
    if (this.config.webhook.invalidPayload === 'reject') {
      this.counters.rejected += 1;
      this.logRejectionOnce(delivery, problems);

      return { kind: 'rejected', problems };
    }

    const isNew = await this.quarantine.store(delivery.source, delivery.rawBody, problems);

    this.counters.quarantined += 1;
    if (isNew) {
      this.logger.warn({ source: delivery.source, problems }, 'delivery quarantined');
    }

    return { kind: 'quarantined' };
  }

  /** MaiAgent retries a rejected delivery; one log line per distinct body is enough. */
  private logRejectionOnce(delivery: Delivery, problems: string[]): void {
    const key = createHash('sha256').update(delivery.rawBody).digest('hex');

    if (this.loggedRejections.has(key)) {
      return;
    }
    if (this.loggedRejections.size >= REJECTED_LOG_MEMORY) {
      this.loggedRejections.clear();
    }
    this.loggedRejections.add(key);
    this.logger.warn({ source: delivery.source, problems }, 'delivery rejected');
  }
}
