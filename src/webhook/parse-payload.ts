import { createHash } from 'node:crypto';

import { NewMessage } from '../messages';
import { findPayloadProblems } from './payload-schema';
import { parseTimestamp } from './timestamp';

/** The parts of a stored message that come from the payload itself. */
export type ParsedPayload = Omit<NewMessage, 'source' | 'correlationId' | 'rawBody'>;

export type ParseResult =
  { isValid: true; payload: ParsedPayload } | { isValid: false; problems: string[] };

/** Validates a parsed JSON body and normalises it; never throws on bad input. */
export function parsePayload(body: unknown): ParseResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { isValid: false, problems: ['the body must be a JSON object'] };
  }

  const fields = body as Record<string, unknown>;
  const problems = findPayloadProblems(fields);

  if (problems.length > 0) {
    return { isValid: false, problems };
  }

  // Scrubbing copies the whole payload; only pay for it when there is something to scrub.
  const storable = containsUnstorable(fields) ? scrub : <T>(value: T): T => value;
  const sender = (fields.sender ?? {}) as {
    id?: string | number | null;
    name?: string;
    avatar?: string;
  };
  const senderId = sender.id === undefined || sender.id === null ? null : String(sender.id);
  const createdAt = fields.createdAt ?? fields.created_at;

  return {
    isValid: true,
    payload: {
      messageId: storable(String(fields.id as string | number)),
      conversation: storable(String(fields.conversation as string | number)),
      type: storable((fields.type as string | undefined) ?? null),
      senderId: storable(senderId),
      senderName: storable(sender.name ?? null),
      senderAvatar: storable(sender.avatar ?? null),
      content: storable((fields.content as string | undefined) ?? null),
      feedback: storable((fields.feedback as Record<string, unknown> | null | undefined) ?? null),
      attachments: storable((fields.attachments as unknown[] | undefined) ?? []),
      citations: storable((fields.citations as Record<string, unknown>[] | undefined) ?? []),
      messageCreatedAt: parseTimestamp(createdAt) ?? null,
      contentHash: hashCanonical(body),
    },
  };
}

// eslint-disable-next-line no-control-regex -- U+0000 is exactly what must be found
const HAS_UNSTORABLE = /[\u0000\ud800-\udfff]/;
const UNPAIRED_SURROGATE =
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Postgres text and jsonb cannot hold U+0000, and jsonb rejects unpaired
 * surrogates, though both are valid in JSON. Left in, one such delivery would
 * fail its whole batch on every retry; the normalised columns get U+FFFD
 * instead, while the raw body keeps the bytes as sent.
 */
function containsUnstorable(value: unknown): boolean {
  if (typeof value === 'string') {
    return HAS_UNSTORABLE.test(value);
  }
  if (Array.isArray(value)) {
    return value.some(containsUnstorable);
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(
      ([key, item]) => HAS_UNSTORABLE.test(key) || containsUnstorable(item),
    );
  }

  return false;
}

function scrub<T>(value: T): T {
  if (typeof value === 'string') {
    return value.replaceAll('\u0000', '\ufffd').replace(UNPAIRED_SURROGATE, '\ufffd') as T;
  }
  if (Array.isArray(value)) {
    return value.map(scrub) as T;
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [scrub(key), scrub(item)]),
    ) as T;
  }

  return value;
}

/** SHA-256 of JSON with sorted keys, so re-serialised redeliveries hash the same. */
export function hashCanonical(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
      );

    return `{${entries.join(',')}}`;
  }

  return JSON.stringify(value) ?? 'null';
}
