import { randomUUID } from 'node:crypto';

import { Queue } from 'bullmq';
import { Pool } from 'undici';

import { MessageStore, NewMessage } from '../../src/messages';
import { parsePayload } from '../../src/webhook/parse-payload';
import { countJobs, dispatchJobId, openMessagesQueue } from '../support/message-queue';
import { countRows, findMessage, isDispatched } from '../support/message-rows';
import { makePayload } from '../support/payloads';
import { TestApp, startTestApp } from '../support/test-app';
import { TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { ACCEPTED_BODY, postWebhook } from '../support/webhook-client';

/** A stored-message candidate built the way the webhook builds one. */
function makeNewMessage(payload: Record<string, unknown>): NewMessage {
  const parsed = parsePayload(payload);

  if (!parsed.isValid) {
    throw new Error(`invalid test payload: ${parsed.problems.join('; ')}`);
  }

  return {
    ...parsed.payload,
    source: 'default',
    rawBody: Buffer.from(JSON.stringify(payload)),
    correlationId: null,
  };
}

describe('deduplication of redelivered messages', () => {
  let database: TestDatabase;
  let service: TestApp;
  let queue: Queue;

  beforeAll(async () => {
    database = await TestDatabase.create();
    service = await startTestApp(database);
    queue = openMessagesQueue(service);
  });

  afterAll(async () => {
    await queue.close();
    await service.close();
    await database.drop();
  });

  /**
   * Delivers a fresh message and waits until it is dispatched. Enqueues are
   * issued in order on one connection, so once this message's job exists, any
   * job an earlier delivery would have added exists too.
   */
  async function deliverBarrier(): Promise<string> {
    const payload = makePayload();

    expect((await postWebhook(service.url, payload)).status).toBe(200);
    await waitFor('barrier message dispatched', () => isDispatched(database, String(payload.id)));

    return String(payload.id);
  }

  it('stores, enqueues and dispatches 50 concurrent identical deliveries once', async () => {
    const payload = makePayload();
    const id = String(payload.id);
    const body = JSON.stringify(payload);
    const jobsBefore = await countJobs(queue);
    const pool = new Pool(service.url, { connections: 10 });

    try {
      const answers = await Promise.all(
        Array.from({ length: 50 }, async () => {
          const response = await pool.request({
            path: '/maiagent/webhook',
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });

          return { status: response.statusCode, text: await response.body.text() };
        }),
      );

      expect(answers).toEqual(Array(50).fill({ status: 200, text: ACCEPTED_BODY }));
    } finally {
      await pool.close();
    }

    expect(await countRows(database, 'messages', 'message_id = $1', [id])).toBe(1);
    expect(await countRows(database, 'message_conflicts', 'message_id = $1', [id])).toBe(0);
    await waitFor('message dispatched', () => isDispatched(database, id));
    await deliverBarrier();

    const job = await queue.getJob(dispatchJobId(id));

    // This message's job and the barrier's, nothing else.
    expect(await countJobs(queue)).toBe(jobsBefore + 2);
    expect(await job?.getState()).toBe('completed');
    expect(job?.attemptsStarted).toBe(1);
  });

  it('answers a duplicate with 200 and enqueues nothing, even after its job left Redis', async () => {
    const payload = makePayload();
    const id = String(payload.id);

    expect((await postWebhook(service.url, payload)).status).toBe(200);

    const first = await waitFor('first delivery dispatched', () => isDispatched(database, id));

    await queue.obliterate({ force: true });
    expect(await countJobs(queue)).toBe(0);

    const duplicate = await postWebhook(service.url, payload);

    expect({ status: duplicate.status, text: duplicate.text }).toEqual({
      status: 200,
      text: ACCEPTED_BODY,
    });

    const barrier = await deliverBarrier();

    expect(await countJobs(queue)).toBe(1);
    expect(await queue.getJob(dispatchJobId(barrier))).toBeDefined();
    expect(await queue.getJob(dispatchJobId(id))).toBeUndefined();
    expect(await findMessage(database, id)).toEqual(first);
  });

  it('treats a re-serialised redelivery (other key order and spacing) as a duplicate', async () => {
    const payload = makePayload({ feedback: { a: 1, b: 2 } });
    const id = String(payload.id);
    const reordered = `{ "feedback": {"b":2, "a":1}, ${JSON.stringify(payload).slice(1)}`.replace(
      /,"feedback":\{"a":1,"b":2\}/,
      '',
    );

    expect(JSON.parse(reordered)).toEqual(payload);
    expect((await postWebhook(service.url, payload)).status).toBe(200);
    expect((await postWebhook(service.url, reordered)).status).toBe(200);

    expect(await countRows(database, 'messages', 'message_id = $1', [id])).toBe(1);
    expect(await countRows(database, 'message_conflicts', 'message_id = $1', [id])).toBe(0);
    expect((await findMessage(database, id))?.raw_body.toString()).toBe(JSON.stringify(payload));
  });

  it('keeps the first content of an id redelivered with other content, and records the conflict', async () => {
    const original = makePayload({ content: 'the first answer' });
    const id = String(original.id);
    const changed = { ...original, content: 'a different answer' };

    expect((await postWebhook(service.url, original)).status).toBe(200);

    const stored = await waitFor('original dispatched', () => isDispatched(database, id));
    const response = await postWebhook(service.url, changed);

    expect({ status: response.status, text: response.text }).toEqual({
      status: 200,
      text: ACCEPTED_BODY,
    });
    expect(await findMessage(database, id)).toEqual(stored);
    expect(stored.content).toBe('the first answer');

    const conflicts = await database.query<{ source: string; raw_body: Buffer }>(
      'SELECT source, raw_body FROM message_conflicts WHERE message_id = $1',
      [id],
    );

    expect(conflicts).toHaveLength(1);
    expect(conflicts[0].source).toBe('default');
    expect(conflicts[0].raw_body.toString()).toBe(JSON.stringify(changed));
  });

  it('compares copies that share one insert with the stored message, not with each other', async () => {
    const store = service.app.get(MessageStore);
    const original = makePayload({ content: 'stored first' });
    const id = String(original.id);

    expect((await postWebhook(service.url, original)).status).toBe(200);

    // Submitted in one event-loop turn, so both go into one INSERT.
    const outcomes = await Promise.all([
      store.store(makeNewMessage({ ...original, content: 'changed' })),
      store.store(makeNewMessage(original)),
      store.store(makeNewMessage({ ...original, content: 'changed' })),
    ]);

    expect(outcomes).toEqual(['conflict', 'duplicate', 'conflict']);
    expect(await countRows(database, 'message_conflicts', 'message_id = $1', [id])).toBe(2);
    expect((await findMessage(database, id))?.content).toBe('stored first');
  });

  it('creates a message once when its copies share one insert', async () => {
    const store = service.app.get(MessageStore);
    const payload = makePayload({ id: `batch-${randomUUID()}` });
    const id = String(payload.id);

    const outcomes = await Promise.all([
      store.store(makeNewMessage(payload)),
      store.store(makeNewMessage(payload)),
      store.store(makeNewMessage({ ...payload, content: 'other' })),
    ]);

    expect(outcomes).toEqual(['created', 'duplicate', 'conflict']);
    expect(await countRows(database, 'messages', 'message_id = $1', [id])).toBe(1);
    expect(await countRows(database, 'message_conflicts', 'message_id = $1', [id])).toBe(1);
    await waitFor('batched message dispatched', () => isDispatched(database, id));
  });
});
