import { randomUUID } from 'node:crypto';

import { countRows, findMessage } from '../support/message-rows';
import { makePayload } from '../support/payloads';
import { TcpProxy } from '../support/tcp-proxy';
import { TestApp, startTestApp } from '../support/test-app';
import { TestDatabase } from '../support/test-database';
import {
  ACCEPTED_BODY,
  WebhookResponse,
  looksLikeStackTrace,
  postWebhook,
} from '../support/webhook-client';

/** MaiAgent must hear "retry later" quickly, not wait on a dead database. */
const MAX_503_MS = 2000;

describe('while Postgres is down', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let service: TestApp;
  /** Message ids that were answered 503; none may exist once Postgres is back. */
  const refusedIds: string[] = [];

  beforeAll(async () => {
    database = await TestDatabase.create();
    proxy = new TcpProxy('127.0.0.1', 5432);

    const url = new URL(database.url);

    url.host = `127.0.0.1:${await proxy.start()}`;
    service = await startTestApp(database, { DATABASE_URL: url.toString() });
  });

  afterAll(async () => {
    proxy.forward();
    await service.close();
    await proxy.stop();
    await database.drop();
  });

  async function deliverWhileDown(payload: Record<string, unknown>): Promise<WebhookResponse> {
    refusedIds.push(String(payload.id));

    return postWebhook(service.url, payload);
  }

  function expectRetryLater(response: WebhookResponse): void {
    expect(response.status).toBe(503);
    expect(response.elapsedMs).toBeLessThan(MAX_503_MS);
    expect(looksLikeStackTrace(response.text)).toBe(false);
    expect(JSON.parse(response.text)).toMatchObject({ statusCode: 503 });
  }

  it('answers 503 at once when Postgres refuses connections', async () => {
    proxy.refuse();

    const responses = await Promise.all(
      Array.from({ length: 5 }, () => deliverWhileDown(makePayload())),
    );

    responses.forEach(expectRetryLater);
  });

  it('answers 503 within the timeouts when Postgres accepts connections but never answers', async () => {
    proxy.blackhole();

    const responses = await Promise.all(
      Array.from({ length: 5 }, () => deliverWhileDown(makePayload())),
    );

    responses.forEach(expectRetryLater);
  });

  it('answers 503 for an invalid body too, since its quarantine needs Postgres', async () => {
    proxy.refuse();

    const response = await postWebhook(service.url, { conversation: `c-${randomUUID()}` });

    expectRetryLater(response);
  });

  it('accepts deliveries again once Postgres is back, with nothing half-written before', async () => {
    proxy.forward();

    const payload = makePayload();
    const response = await postWebhook(service.url, payload);

    expect({ status: response.status, text: response.text }).toEqual({
      status: 200,
      text: ACCEPTED_BODY,
    });
    expect(await findMessage(database, String(payload.id))).toBeDefined();
    expect(await countRows(database, 'messages', 'message_id = ANY($1)', [refusedIds])).toBe(0);
    expect(await countRows(database, 'quarantined_deliveries')).toBe(0);
  });

  it('stores a delivery that was refused once when MaiAgent retries it', async () => {
    const payload = makePayload();

    proxy.refuse();
    expectRetryLater(await postWebhook(service.url, payload));
    proxy.forward();

    expect((await postWebhook(service.url, payload)).status).toBe(200);
    expect(await countRows(database, 'messages', 'message_id = $1', [String(payload.id)])).toBe(1);
  });
});
