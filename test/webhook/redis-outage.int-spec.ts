import { randomUUID } from 'node:crypto';

import { hashCanonical } from '../../src/webhook/parse-payload';
import { countRows, isDispatched } from '../support/message-rows';
import { makePayload } from '../support/payloads';
import { RedisServerProcess } from '../support/redis-server';
import { TestApp, startTestApp } from '../support/test-app';
import { TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { ACCEPTED_BODY, postWebhook } from '../support/webhook-client';

/** Reconnecting after a restart takes a few of ioredis's (capped, 2 s) retry delays. */
const RECOVERY_TIMEOUT_MS = 30_000;

describe('while Redis is down', () => {
  let database: TestDatabase;
  let redis: RedisServerProcess;
  let service: TestApp;

  beforeAll(async () => {
    database = await TestDatabase.create();
    redis = await RedisServerProcess.start();
    service = await startTestApp(database, { REDIS_URL: redis.url });
  });

  afterAll(async () => {
    // Redis must be up for the queues and workers to close cleanly.
    await redis.start();
    await service.close();
    await redis.stop();
    await database.drop();
  });

  it('acknowledges deliveries at once from Postgres alone and dispatches them once Redis is back', async () => {
    const payloads = Array.from({ length: 20 }, () => makePayload());
    const ids = payloads.map((payload) => String(payload.id));

    await redis.stop();

    const responses = await Promise.all(
      payloads.map((payload) => postWebhook(service.url, payload)),
    );

    for (const response of responses) {
      expect({ status: response.status, text: response.text }).toEqual({
        status: 200,
        text: ACCEPTED_BODY,
      });
      expect(response.elapsedMs).toBeLessThan(1000);
    }
    expect(
      await countRows(database, 'messages', 'message_id = ANY($1) AND enqueued_at IS NULL', [ids]),
    ).toBe(ids.length);

    // Acceptance does not depend on Redis, so readiness stays up, reported as degraded.
    const ready = await fetch(`${service.url}/health/ready`);

    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'degraded', postgres: 'up', redis: 'down' });

    await redis.start();

    await waitFor(
      'every message enqueued and dispatched after Redis restarted',
      async () => {
        const rows = await Promise.all(ids.map((id) => isDispatched(database, id)));

        return rows.every((row) => row !== undefined);
      },
      { timeoutMs: RECOVERY_TIMEOUT_MS, intervalMs: 100 },
    );
  });

  it('enqueues a message committed without enqueue (a crash in between) from the outbox', async () => {
    const payload = makePayload({ id: `crashed-${randomUUID()}` });
    const id = String(payload.id);

    await redis.start();
    await database.query(
      `INSERT INTO messages (message_id, source, conversation, attachments, citations, raw_body,
         content_hash)
       VALUES ($1, 'default', $2, '[]', '[]', $3, $4)`,
      [id, payload.conversation, Buffer.from(JSON.stringify(payload)), hashCanonical(payload)],
    );
    // The row starts with enqueued_at NULL; checking that here would race the sweeper.

    const row = await waitFor(
      'outbox sweeper enqueues and dispatches it',
      () => isDispatched(database, id),
      { timeoutMs: RECOVERY_TIMEOUT_MS },
    );

    expect(row.enqueued_at).not.toBeNull();
  });
});
