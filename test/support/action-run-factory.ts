import { randomUUID } from 'node:crypto';

import { ActionError } from '../../src/actions/action-error';
import { ActionMessage, ActionRunContext, PrepareTools } from '../../src/actions/action-handler';
import { compileTemplate } from '../../src/actions/template-renderer';
import { createLogger } from '../../src/infra/logging/logger';

/** A message as handlers see it; the raw body is the JSON the fields came from. */
export function actionMessage(overrides: Partial<ActionMessage> = {}): ActionMessage {
  const id = overrides.id ?? `msg-${randomUUID()}`;
  const message: ActionMessage = {
    id,
    conversation: `conv-${randomUUID()}`,
    type: 'text',
    content: 'Do you ship to Taipei?',
    sender: { id: `sender-${randomUUID()}`, name: 'Mei', avatar: null },
    source: 'default',
    createdAt: '2025-03-04T05:06:07.000Z',
    receivedAt: '2025-03-04T05:06:08.000Z',
    feedback: null,
    attachments: [],
    citations: [],
    rawBody: Buffer.alloc(0),
    ...overrides,
  };

  if (!overrides.rawBody) {
    message.rawBody = Buffer.from(
      JSON.stringify({ id, conversation: message.conversation, content: message.content }),
    );
  }

  return message;
}

/** One attempt of a run; pass the same `runId` and `idempotencyKey` to model a retry. */
export function actionRunContext(overrides: Partial<ActionRunContext> = {}): ActionRunContext {
  const message = overrides.message ?? actionMessage();
  const runId = overrides.runId ?? randomUUID();

  return {
    message,
    actionName: 'test-action',
    runId,
    attempt: 1,
    idempotencyKey: `run-${runId}`,
    signal: new AbortController().signal,
    logger: createLogger('silent'),
    ...overrides,
  };
}

/** Start-up tools that fail loudly on the first problem. */
export function prepareTools(overrides: Partial<PrepareTools> = {}): PrepareTools {
  return {
    template: (_key, source) => compileTemplate(source),
    problem: (key, text) => {
      throw new Error(`${key}: ${text}`);
    },
    allowPrivateNetworks: true,
    ...overrides,
  };
}

/** Start-up tools that collect every problem, for tests that expect several. */
export function collectingTools(overrides: Partial<PrepareTools> = {}): {
  tools: PrepareTools;
  problems: string[];
} {
  const problems: string[] = [];

  return {
    tools: prepareTools({ problem: (key, text) => problems.push(`${key}: ${text}`), ...overrides }),
    problems,
  };
}

/** The ActionError `promise` rejects with; fails the test if it resolves or rejects otherwise. */
export async function failureOf(promise: Promise<unknown>): Promise<ActionError> {
  const error: unknown = await promise.then(
    () => new Error('expected the call to fail, but it succeeded'),
    (rejection: unknown) => rejection,
  );

  if (!(error instanceof ActionError)) {
    throw error;
  }

  return error;
}
