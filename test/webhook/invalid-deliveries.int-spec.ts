import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

import { Queue } from 'bullmq';
import { request } from 'undici';

import { WebhookService } from '../../src/webhook/webhook.service';
import { countJobs, dispatchJobId, openMessagesQueue } from '../support/message-queue';
import { countRows, findMessage, isDispatched } from '../support/message-rows';
import { makePayload } from '../support/payloads';
import { TestApp, startTestApp } from '../support/test-app';
import { TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import {
  ACCEPTED_BODY,
  WebhookResponse,
  looksLikeStackTrace,
  postWebhook,
} from '../support/webhook-client';

const BODY_LIMIT = 2048;

interface QuarantineRow {
  id: string;
  source: string;
  raw_body: Buffer;
  problems: string[];
  replayed_at: Date | null;
  message_id: string | null;
}

function sha256(body: string | Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/** A payload that fails validation; `overrides` add or replace top-level fields. */
function makeInvalidPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return makePayload({ id: undefined, ...overrides });
}

async function quarantinedRows(database: TestDatabase, body: string): Promise<QuarantineRow[]> {
  return database.query<QuarantineRow>(
    'SELECT * FROM quarantined_deliveries WHERE body_hash = $1',
    [sha256(body)],
  );
}

function expectClientError(response: WebhookResponse, status: number): void {
  expect(response.status).toBe(status);
  expect(looksLikeStackTrace(response.text)).toBe(false);
  expect(JSON.parse(response.text)).toMatchObject({ message: expect.any(String) });
}

describe('deliveries the webhook cannot accept as messages', () => {
  let database: TestDatabase;
  let service: TestApp;
  let rejecting: TestApp;

  beforeAll(async () => {
    database = await TestDatabase.create();
    service = await startTestApp(database, { WEBHOOK_BODY_LIMIT_BYTES: String(BODY_LIMIT) });
    // API only: its sweeper and worker would otherwise compete for `service`'s messages.
    rejecting = await startTestApp(database, { WEBHOOK_INVALID_PAYLOAD: 'reject' }, ['api']);
  });

  afterAll(async () => {
    await rejecting.close();
    await service.close();
    await database.drop();
  });

  describe('malformed requests', () => {
    it('answers 400 to a body that is not JSON', async () => {
      const response = await postWebhook(service.url, '{"id": "x", "conversation": ');

      expectClientError(response, 400);
      expect(await countRows(database, 'quarantined_deliveries')).toBe(0);
    });

    it('answers 400 to an empty JSON body', async () => {
      expectClientError(await postWebhook(service.url, ''), 400);
    });

    it('answers 415 to text/plain', async () => {
      const payload = makePayload();
      const response = await postWebhook(service.url, JSON.stringify(payload), {
        headers: { 'content-type': 'text/plain' },
      });

      expectClientError(response, 415);
      expect(await findMessage(database, String(payload.id))).toBeUndefined();
    });

    it('answers 415 to application/xml', async () => {
      const response = await postWebhook(service.url, '<message id="x"/>', {
        headers: { 'content-type': 'application/xml' },
      });

      expectClientError(response, 415);
    });

    it('accepts a body just under the limit', async () => {
      const payload = makePayload({ content: '' });
      const padding = BODY_LIMIT - Buffer.byteLength(JSON.stringify(payload)) - 10;

      payload.content = 'x'.repeat(padding);
      expect((await postWebhook(service.url, payload)).status).toBe(200);
    });

    it('answers 413 to a body over the limit', async () => {
      const payload = makePayload({ content: 'x'.repeat(BODY_LIMIT) });
      const response = await postWebhook(service.url, payload);

      expectClientError(response, 413);
      expect(await findMessage(database, String(payload.id))).toBeUndefined();
    });

    it('answers 413 to a chunked body over the limit sent without content-length', async () => {
      const payload = makePayload({ content: 'x'.repeat(BODY_LIMIT * 2) });
      const body = Buffer.from(JSON.stringify(payload));
      const chunks = Array.from({ length: Math.ceil(body.length / 512) }, (_unused, index) =>
        body.subarray(index * 512, (index + 1) * 512),
      );
      const response = await request(`${service.url}/maiagent/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Readable.from(chunks),
      });
      const text = await response.body.text();

      expect(response.statusCode).toBe(413);
      expect(looksLikeStackTrace(text)).toBe(false);
      expect(await findMessage(database, String(payload.id))).toBeUndefined();
    });
  });

  describe('JSON that fails validation, quarantined by default', () => {
    /** Delivers `payload`, expects 200 and returns its one quarantine row. */
    async function quarantine(payload: Record<string, unknown>): Promise<QuarantineRow> {
      const body = JSON.stringify(payload);
      const response = await postWebhook(service.url, body);

      expect({ status: response.status, text: response.text }).toEqual({
        status: 200,
        text: ACCEPTED_BODY,
      });

      const rows = await quarantinedRows(database, body);

      expect(rows).toHaveLength(1);
      expect(rows[0].raw_body.toString()).toBe(body);
      expect(rows[0].source).toBe('default');

      return rows[0];
    }

    it('quarantines a payload without id', async () => {
      const row = await quarantine(makeInvalidPayload());

      expect(row.problems).toEqual([expect.stringMatching(/^id /)]);
    });

    it('quarantines a payload without conversation', async () => {
      const payload = makePayload({ conversation: undefined });
      const row = await quarantine(payload);

      expect(row.problems).toEqual([expect.stringMatching(/^conversation /)]);
      expect(await findMessage(database, String(payload.id))).toBeUndefined();
    });

    it('quarantines a payload whose sender is a string', async () => {
      const payload = makePayload({ sender: 'Test User' });
      const row = await quarantine(payload);

      expect(row.problems.length).toBeGreaterThan(0);
      expect(row.problems.every((problem) => problem.startsWith('sender'))).toBe(true);
      expect(await findMessage(database, String(payload.id))).toBeUndefined();
    });

    it('quarantines a payload whose citations are not an array', async () => {
      const payload = makePayload({ citations: { id: 'file-1' } });
      const row = await quarantine(payload);

      expect(row.problems).toContain('citations must be an array');
      expect(await findMessage(database, String(payload.id))).toBeUndefined();
    });

    it('quarantines a payload with a bad nested field and names its path', async () => {
      const payload = makePayload({ citations: [{ id: 'file-1', size: { bytes: 1 } }] });
      const row = await quarantine(payload);

      expect(row.problems).toEqual([expect.stringMatching(/^citations\.0\.size /)]);
    });

    it('keeps one quarantine row for an invalid body delivered twice', async () => {
      const body = JSON.stringify(makeInvalidPayload({ content: randomUUID() }));

      expect((await postWebhook(service.url, body)).status).toBe(200);
      expect((await postWebhook(service.url, body)).status).toBe(200);
      expect(await quarantinedRows(database, body)).toHaveLength(1);
    });
  });

  describe('JSON that fails validation, with WEBHOOK_INVALID_PAYLOAD=reject', () => {
    it('answers 400 naming every bad field, and stores nothing', async () => {
      const payload = makePayload({
        id: undefined,
        conversation: { nested: true },
        sender: 'Test User',
        citations: 'faq.jsonl',
        feedback: 'good',
        created_at: 'yesterday',
      });
      const body = JSON.stringify(payload);
      const response = await postWebhook(rejecting.url, body);

      expectClientError(response, 400);

      const { problems } = JSON.parse(response.text) as { problems: string[] };
      const fields = new Set(problems.map((problem) => problem.split(/[ :.]/)[0]));

      expect([...fields].sort()).toEqual([
        'citations',
        'conversation',
        'created_at',
        'feedback',
        'id',
        'sender',
      ]);
      expect(await quarantinedRows(database, body)).toHaveLength(0);
    });

    it('still accepts valid deliveries', async () => {
      const payload = makePayload();
      const response = await postWebhook(rejecting.url, payload);

      expect(response.text).toBe(ACCEPTED_BODY);
      expect(await findMessage(database, String(payload.id))).toBeDefined();
    });
  });

  describe('replaying quarantined deliveries', () => {
    let queue: Queue;

    beforeAll(() => {
      queue = openMessagesQueue(service);
    });

    afterAll(async () => {
      await queue.close();
    });

    it('rejects a replay of a body that is still invalid and leaves it quarantined', async () => {
      const body = JSON.stringify(makeInvalidPayload({ content: randomUUID() }));

      expect((await postWebhook(service.url, body)).status).toBe(200);

      const [row] = await quarantinedRows(database, body);
      const result = await service.app.get(WebhookService).replayQuarantined(row.id);

      expect(result).toEqual({ kind: 'rejected', problems: [expect.stringMatching(/^id /)] });
      expect((await quarantinedRows(database, body))[0].replayed_at).toBeNull();
    });

    it('turns a now-valid quarantined body into one message, however often it is replayed', async () => {
      const payload = makePayload({ id: `replayed-${randomUUID()}` });
      const id = String(payload.id);
      const body = JSON.stringify(payload);
      const [{ id: quarantineId }] = await database.query<{ id: string }>(
        `INSERT INTO quarantined_deliveries (source, body_hash, raw_body, problems)
         VALUES ('sales', $1, $2, '["a rule since relaxed"]') RETURNING id`,
        [sha256(body), Buffer.from(body)],
      );
      const webhook = service.app.get(WebhookService);

      expect(await webhook.replayQuarantined(quarantineId)).toEqual({
        kind: 'stored',
        outcome: 'created',
      });

      const message = await waitFor('replayed message dispatched', () =>
        isDispatched(database, id),
      );

      expect(message.source).toBe('sales');
      expect(message.raw_body.toString()).toBe(body);
      expect((await quarantinedRows(database, body))[0]).toMatchObject({
        message_id: id,
        replayed_at: expect.any(Date),
      });

      const jobsBefore = await countJobs(queue);

      expect(await webhook.replayQuarantined(quarantineId)).toEqual({
        kind: 'stored',
        outcome: 'duplicate',
      });

      // A barrier: once a later message's job exists, a second job for the replay would too.
      const barrier = makePayload();

      expect((await postWebhook(service.url, barrier)).status).toBe(200);
      await waitFor('barrier dispatched', () => isDispatched(database, String(barrier.id)));

      const jobs = await Promise.all([
        queue.getJob(dispatchJobId(id)),
        queue.getJob(dispatchJobId(String(barrier.id))),
      ]);

      expect(jobs.map((job) => job?.attemptsStarted)).toEqual([1, 1]);
      expect(await countJobs(queue)).toBe(jobsBefore + 1);
      expect(await countRows(database, 'messages', 'message_id = $1', [id])).toBe(1);
    });
  });
});
