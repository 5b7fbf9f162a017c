import { TestDatabase } from './test-database';

/** A `messages` row as node-postgres returns it. */
export interface MessageRow {
  message_id: string;
  source: string;
  conversation: string;
  type: string | null;
  sender_id: string | null;
  sender_name: string | null;
  sender_avatar: string | null;
  content: string | null;
  feedback: unknown;
  attachments: unknown;
  citations: unknown;
  message_created_at: Date | null;
  raw_body: Buffer;
  content_hash: string;
  correlation_id: string | null;
  status: string;
  received_at: Date;
  enqueued_at: Date | null;
  dispatched_at: Date | null;
}

export async function findMessage(
  database: TestDatabase,
  messageId: string,
): Promise<MessageRow | undefined> {
  const [row] = await database.query<MessageRow>('SELECT * FROM messages WHERE message_id = $1', [
    messageId,
  ]);

  return row;
}

/** Rows of `table` matching `where`, e.g. `countRows(db, 'messages', 'message_id = $1', [id])`. */
export async function countRows(
  database: TestDatabase,
  table: 'messages' | 'message_conflicts' | 'quarantined_deliveries',
  where = 'true',
  params: unknown[] = [],
): Promise<number> {
  const [row] = await database.query<{ count: string }>(
    `SELECT count(*) AS count FROM ${table} WHERE ${where}`,
    params,
  );

  return Number(row.count);
}

/** Statuses the dispatcher leaves behind: routed to actions, or matching no route. */
export const DISPATCHED_STATUSES = ['dispatched', 'unrouted'];

/**
 * The row once the message was enqueued and the dispatcher has handled it;
 * undefined before. A probe for `waitFor`.
 */
export async function isDispatched(
  database: TestDatabase,
  messageId: string,
): Promise<MessageRow | undefined> {
  const row = await findMessage(database, messageId);

  return row && row.enqueued_at !== null && row.dispatched_at !== null ? row : undefined;
}
