import { createHash } from 'node:crypto';

import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';

import { NewMessage } from '../messages';
import { parseTimestamp } from './timestamp';
import { WebhookPayloadDto } from './webhook-payload.dto';

/** The parts of a stored message that come from the payload itself. */
export type ParsedPayload = Omit<NewMessage, 'source' | 'correlationId' | 'rawBody'>;

export type ParseResult =
  { isValid: true; payload: ParsedPayload } | { isValid: false; problems: string[] };

/** Validates a parsed JSON body and normalises it; never throws on bad input. */
export function parsePayload(body: unknown): ParseResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { isValid: false, problems: ['the body must be a JSON object'] };
  }

  const dto = plainToInstance(WebhookPayloadDto, body);
  const errors = validateSync(dto, { forbidUnknownValues: false });

  if (errors.length > 0) {
    return { isValid: false, problems: flattenErrors(errors) };
  }

  const sender = dto.sender;
  const senderId = sender?.id === undefined || sender.id === null ? null : String(sender.id);

  return {
    isValid: true,
    payload: {
      messageId: storable(String(dto.id)),
      conversation: storable(String(dto.conversation)),
      type: storable(dto.type ?? null),
      senderId: storable(senderId),
      senderName: storable(sender?.name ?? null),
      senderAvatar: storable(sender?.avatar ?? null),
      content: storable(dto.content ?? null),
      feedback: storable(dto.feedback ?? null),
      attachments: storable((body as { attachments?: unknown[] }).attachments ?? []),
      citations: storable((body as { citations?: Record<string, unknown>[] }).citations ?? []),
      messageCreatedAt: parseTimestamp(dto.createdAt ?? dto.created_at) ?? null,
      contentHash: hashCanonical(body),
    },
  };
}

const UNPAIRED_SURROGATE =
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Postgres text and jsonb cannot hold U+0000, and jsonb rejects unpaired
 * surrogates, though both are valid in JSON. Left in, one such delivery would
 * fail its whole batch on every retry; the normalised columns get U+FFFD
 * instead, while the raw body keeps the bytes as sent.
 */
function storable<T>(value: T): T {
  if (typeof value === 'string') {
    return value.replaceAll('\u0000', '\ufffd').replace(UNPAIRED_SURROGATE, '\ufffd') as T;
  }
  if (Array.isArray(value)) {
    return value.map(storable) as T;
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [storable(key), storable(item)]),
    ) as T;
  }

  return value;
}

function flattenErrors(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = `${prefix}${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((text) =>
      // class-validator names only the last segment; name the whole path instead.
      text.startsWith(error.property)
        ? `${path}${text.slice(error.property.length)}`
        : `${path}: ${text}`,
    );

    return [...own, ...flattenErrors(error.children ?? [], `${path}.`)];
  });
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
