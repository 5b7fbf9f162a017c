import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';

import { DispatchJobData } from '../infra/queue/queue.constants';
import { MessageEntity, MessageStatus } from './message.entity';

/** Reads and state changes of stored messages, for the worker and the operators. */
@Injectable()
export class MessagesService {
  constructor(
    @InjectRepository(MessageEntity) private readonly messages: Repository<MessageEntity>,
  ) {}

  findById(messageId: string): Promise<MessageEntity | null> {
    return this.messages.findOneBy({ messageId });
  }

  /** Oldest messages that were committed but never confirmed enqueued. */
  findNotEnqueued(olderThanMs: number, limit: number): Promise<DispatchJobData[]> {
    return this.findOldest('enqueued_at IS NULL', 'received_at', olderThanMs, limit);
  }

  /** Messages enqueued long ago but never dispatched: their job may have been lost with Redis's data. */
  findStaleUndispatched(olderThanMs: number, limit: number): Promise<DispatchJobData[]> {
    return this.findOldest('dispatched_at IS NULL', 'enqueued_at', olderThanMs, limit);
  }

  /** Both conditions have a partial index on the time column, so sweeps stay cheap as rows pile up. */
  private async findOldest(
    condition: 'enqueued_at IS NULL' | 'dispatched_at IS NULL',
    since: 'received_at' | 'enqueued_at',
    olderThanMs: number,
    limit: number,
  ): Promise<DispatchJobData[]> {
    const rows = await this.messages.query<{ message_id: string; correlation_id: string | null }[]>(
      `SELECT message_id, correlation_id FROM messages
       WHERE ${condition} AND ${since} < now() - make_interval(secs => $1::float8 / 1000)
       ORDER BY ${since} LIMIT $2`,
      [olderThanMs, limit],
    );

    return rows.map((row) => ({ messageId: row.message_id, correlationId: row.correlation_id }));
  }

  /** Records the outcome of dispatch once; a repeated dispatch leaves the first outcome. */
  async markDispatched(
    messageId: string,
    status: Exclude<MessageStatus, 'received'>,
  ): Promise<void> {
    await this.messages.update(
      { messageId, dispatchedAt: IsNull() },
      { status, dispatchedAt: () => 'now()' },
    );
  }
}
