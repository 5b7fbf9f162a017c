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

  return {
    isValid: true,
    payload: {
      messageId: String(dto.id),
      conversation: String(dto.conversation),
      type: dto.type ?? null,
      senderId: sender?.id === undefined ? null : String(sender.id),
      senderName: sender?.name ?? null,
      senderAvatar: sender?.avatar ?? null,
      content: dto.content ?? null,
      feedback: dto.feedback ?? null,
      attachments: (body as { attachments?: unknown[] }).attachments ?? [],
      citations: (body as { citations?: Record<string, unknown>[] }).citations ?? [],
      messageCreatedAt: parseTimestamp(dto.createdAt ?? dto.created_at) ?? null,
      contentHash: hashCanonical(body),
    },
  };
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
