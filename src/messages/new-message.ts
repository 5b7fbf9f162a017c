/** A validated delivery, normalised, ready to be stored as a message. */
export interface NewMessage {
  messageId: string;
  source: string;
  conversation: string;
  type: string | null;
  senderId: string | null;
  senderName: string | null;
  senderAvatar: string | null;
  content: string | null;
  feedback: Record<string, unknown> | null;
  attachments: unknown[];
  citations: Record<string, unknown>[];
  messageCreatedAt: Date | null;
  rawBody: Buffer;
  contentHash: string;
  correlationId: string | null;
}

/**
 * What storing a delivery did: created the message, found the same message
 * already stored, or found the id stored with other content (kept as a conflict).
 */
export type StoreOutcome = 'created' | 'duplicate' | 'conflict';
