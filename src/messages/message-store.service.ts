import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { APP_CONFIG, AppConfig } from '../infra/config';
import { APP_LOGGER, AppLogger } from '../infra/logging/logger';
import { Batcher } from '../infra/batching/batcher';
import { MessageEnqueuer } from './message-enqueuer.service';
import { NewMessage, StoreOutcome } from './new-message';

interface InsertRow {
  message_id: string;
  is_new: boolean;
  stored_hash: string | null;
}

/**
 * Multi-row insert-or-ignore. The `inserted` CTE and the join on `messages`
 * see the same snapshot, so for a duplicate the join returns the row stored
 * before this statement and `is_new` tells the two apart.
 */
const INSERT_MESSAGES = `
WITH input AS (
  SELECT message_id, source, conversation, type, sender_id, sender_name, sender_avatar, content,
    feedback, attachments, citations, message_created_at, decode(raw_body, 'base64') AS raw_body,
    content_hash, correlation_id
  FROM json_to_recordset($1::json) AS t(message_id varchar, source varchar, conversation varchar,
    type varchar, sender_id varchar, sender_name text, sender_avatar text, content text,
    feedback jsonb, attachments jsonb, citations jsonb, message_created_at timestamptz,
    raw_body text, content_hash char(64), correlation_id varchar)
), inserted AS (
  INSERT INTO messages (message_id, source, conversation, type, sender_id, sender_name,
    sender_avatar, content, feedback, attachments, citations, message_created_at, raw_body,
    content_hash, correlation_id)
  SELECT * FROM input
  ON CONFLICT (message_id) DO NOTHING
  RETURNING message_id
)
SELECT i.message_id, (x.message_id IS NOT NULL) AS is_new, m.content_hash AS stored_hash
FROM input i
LEFT JOIN inserted x ON x.message_id = i.message_id
LEFT JOIN messages m ON m.message_id = i.message_id`;

const INSERT_CONFLICTS = `
INSERT INTO message_conflicts (message_id, source, content_hash, raw_body)
SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::char(64)[], $4::bytea[])`;

/**
 * The durable half of the front door. Deliveries that arrive together share
 * one INSERT (one statement, one commit); a caller's promise settles only
 * after its row is committed. New messages are then handed to the enqueuer,
 * which never delays the answer.
 */
@Injectable()
export class MessageStore {
  private readonly batcher: Batcher<NewMessage, StoreOutcome>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly enqueuer: MessageEnqueuer,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {
    this.batcher = new Batcher((batch) => this.storeBatch(batch), {
      maxBatchSize: config.webhook.maxBatchSize,
      // Leave pool connections for the sweeper, the worker and health checks.
      maxConcurrentFlushes: Math.max(1, config.database.poolSize - 2),
    });
  }

  store(message: NewMessage): Promise<StoreOutcome> {
    return this.batcher.submit(message);
  }

  private async storeBatch(batch: NewMessage[]): Promise<StoreOutcome[]> {
    // Copies of one id inside a batch: the first is written, the rest compare against it.
    const firstById = new Map<string, NewMessage>();

    for (const message of batch) {
      if (!firstById.has(message.messageId)) {
        firstById.set(message.messageId, message);
      }
    }

    const unique = [...firstById.values()];
    const rows = await this.insertMessages(unique);
    const storedHash = new Map<string, string | null>();
    const created = new Set<string>();

    for (const row of rows) {
      if (row.is_new) {
        created.add(row.message_id);
      }
      storedHash.set(row.message_id, row.is_new ? null : row.stored_hash);
    }
    await this.fillHashesCommittedMeanwhile(storedHash, created);

    const outcomes = batch.map((message): StoreOutcome => {
      const first = firstById.get(message.messageId) as NewMessage;
      const isCreated = created.has(message.messageId);

      if (isCreated && first === message) {
        return 'created';
      }

      // Every copy compares with the stored content: this batch's first copy
      // when it created the message, else what was stored before.
      const reference = isCreated ? first.contentHash : storedHash.get(message.messageId);

      return reference === message.contentHash ? 'duplicate' : 'conflict';
    });
    const conflicts = batch.filter((_message, index) => outcomes[index] === 'conflict');

    // Before the conflicts insert, which may fail: the new messages are committed already.
    this.enqueuer.enqueueSoon(
      unique
        .filter((message) => created.has(message.messageId))
        .map(({ messageId, correlationId }) => ({ messageId, correlationId })),
    );
    if (conflicts.length > 0) {
      await this.insertConflicts(conflicts);
      this.logger.warn(
        { messageIds: conflicts.map((message) => message.messageId) },
        'message id redelivered with different content',
      );
    }

    return outcomes;
  }

  /**
   * The whole batch travels as one JSON parameter (raw bodies in base64, so
   * they stay byte-exact): one native JSON.stringify is much cheaper than
   * encoding a Postgres array literal per column.
   */
  private insertMessages(batch: NewMessage[]): Promise<InsertRow[]> {
    const rows = batch.map((message) => ({
      message_id: message.messageId,
      source: message.source,
      conversation: message.conversation,
      type: message.type,
      sender_id: message.senderId,
      sender_name: message.senderName,
      sender_avatar: message.senderAvatar,
      content: message.content,
      feedback: message.feedback,
      attachments: message.attachments,
      citations: message.citations,
      message_created_at: message.messageCreatedAt,
      raw_body: message.rawBody.toString('base64'),
      content_hash: message.contentHash,
      correlation_id: message.correlationId,
    }));

    return this.dataSource.query<InsertRow[]>(INSERT_MESSAGES, [JSON.stringify(rows)]);
  }

  /**
   * A duplicate whose first copy committed after this statement's snapshot
   * (two requests racing) shows no stored hash; read it now that it is visible.
   */
  private async fillHashesCommittedMeanwhile(
    storedHash: Map<string, string | null>,
    created: Set<string>,
  ): Promise<void> {
    const missing = [...storedHash]
      .filter(([id, hash]) => hash === null && !created.has(id))
      .map(([id]) => id);

    if (missing.length === 0) {
      return;
    }

    const rows = await this.dataSource.query<{ message_id: string; content_hash: string }[]>(
      'SELECT message_id, content_hash FROM messages WHERE message_id = ANY($1)',
      [missing],
    );

    for (const row of rows) {
      storedHash.set(row.message_id, row.content_hash);
    }
  }

  private async insertConflicts(conflicts: NewMessage[]): Promise<void> {
    await this.dataSource.query(INSERT_CONFLICTS, [
      conflicts.map((message) => message.messageId),
      conflicts.map((message) => message.source),
      conflicts.map((message) => message.contentHash),
      conflicts.map((message) => message.rawBody),
    ]);
  }
}
