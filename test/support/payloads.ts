import { randomUUID } from 'node:crypto';

/** The example from MaiAgent's webhook page, verbatim in content. */
export const SPEC_EXAMPLE = {
  id: 'msg123',
  conversation: 'conv456',
  sender: { id: 789, name: 'Test User', avatar: '<https://example.com/avatar.jpg>' },
  type: 'outgoing',
  content: 'This is a webhook test message',
  feedback: null,
  created_at: '1728219442000',
  attachments: [],
  citations: [],
};

/** A valid payload with a fresh id; `overrides` replace top-level fields. */
export function makePayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...SPEC_EXAMPLE,
    id: randomUUID(),
    conversation: `conv-${randomUUID()}`,
    ...overrides,
  };
}

/** A citation with every documented field; `overrides` replace or add fields. */
export function makeCitation(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `file-${randomUUID()}`,
    filename: 'faq.jsonl',
    file: 'https://files.example.com/faq.jsonl',
    fileType: 'jsonl',
    size: 2048,
    status: 'done',
    document: 'doc-1',
    createdAt: '1728219442000',
    ...overrides,
  };
}
