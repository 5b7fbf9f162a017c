import { randomBytes, randomUUID } from 'node:crypto';

import { Webhook } from 'standardwebhooks';

import { countRows, findMessage } from '../support/message-rows';
import { makePayload } from '../support/payloads';
import { TestApp, startTestApp } from '../support/test-app';
import { TestDatabase } from '../support/test-database';
import {
  ACCEPTED_BODY,
  WebhookResponse,
  looksLikeStackTrace,
  postWebhook,
} from '../support/webhook-client';

const SALES_TOKEN = `sales-${randomBytes(12).toString('hex')}`;
const SUPPORT_TOKEN = `support-${randomBytes(12).toString('hex')}`;
const RELAY_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

/** Standard Webhooks headers for `body`, signed with `secret` at `signedAt`. */
function signatureHeaders(
  body: string,
  { secret = RELAY_SECRET, signedAt = new Date() }: { secret?: string; signedAt?: Date } = {},
): Record<string, string> {
  const messageId = `msg_${randomUUID()}`;

  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(signedAt.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(messageId, signedAt, body),
  };
}

function expectUnauthorized(response: WebhookResponse): void {
  expect(response.status).toBe(401);
  expect(looksLikeStackTrace(response.text)).toBe(false);
  expect(response.text).not.toContain(SALES_TOKEN);
}

describe('authentication of webhook senders', () => {
  let database: TestDatabase;
  let service: TestApp;

  beforeAll(async () => {
    database = await TestDatabase.create();
    service = await startTestApp(database, {
      WEBHOOK_SOURCES: `sales:${SALES_TOKEN},support:${SUPPORT_TOKEN}`,
      WEBHOOK_SIGNING_SECRETS: `relay:${RELAY_SECRET}`,
    });
  });

  afterAll(async () => {
    await service.close();
    await database.drop();
  });

  /** Delivers a fresh payload with the given credentials; returns the response and stored source. */
  async function deliver(
    options: { suffix?: string; headers?: Record<string, string> } = {},
  ): Promise<{ response: WebhookResponse; source: string | undefined }> {
    const payload = makePayload();
    const response = await postWebhook(service.url, payload, options);
    const row = await findMessage(database, String(payload.id));

    return { response, source: row?.source };
  }

  it('accepts the token in the x-webhook-token header', async () => {
    const { response, source } = await deliver({ headers: { 'x-webhook-token': SALES_TOKEN } });

    expect(response.text).toBe(ACCEPTED_BODY);
    expect(source).toBe('sales');
  });

  it('accepts the token as the last path segment', async () => {
    const { response, source } = await deliver({ suffix: `/${SUPPORT_TOKEN}` });

    expect(response.text).toBe(ACCEPTED_BODY);
    expect(source).toBe('support');
  });

  it('accepts the token in the query string', async () => {
    const { response, source } = await deliver({ suffix: `?token=${SALES_TOKEN}` });

    expect(response.text).toBe(ACCEPTED_BODY);
    expect(source).toBe('sales');
  });

  it('accepts the token as a bearer token', async () => {
    const { response, source } = await deliver({
      headers: { authorization: `Bearer ${SUPPORT_TOKEN}` },
    });

    expect(response.text).toBe(ACCEPTED_BODY);
    expect(source).toBe('support');
  });

  it('accepts the bearer scheme in any letter case', async () => {
    const { response, source } = await deliver({
      headers: { authorization: `bearer ${SALES_TOKEN}` },
    });

    expect(response.status).toBe(200);
    expect(source).toBe('sales');
  });

  it('answers 401 to a wrong token and stores nothing', async () => {
    const { response, source } = await deliver({
      headers: { 'x-webhook-token': `${SALES_TOKEN}x` },
    });

    expectUnauthorized(response);
    expect(source).toBeUndefined();
  });

  it('answers 401 to a wrong path token and stores nothing', async () => {
    const { response, source } = await deliver({ suffix: `/${randomBytes(16).toString('hex')}` });

    expectUnauthorized(response);
    expect(source).toBeUndefined();
  });

  it('answers 401 without any credentials and stores nothing', async () => {
    const { response, source } = await deliver();

    expectUnauthorized(response);
    expect(source).toBeUndefined();
  });

  it('answers 401 to an unauthenticated invalid body instead of quarantining it', async () => {
    const response = await postWebhook(service.url, { conversation: `c-${randomUUID()}` });

    expectUnauthorized(response);
    expect(await countRows(database, 'quarantined_deliveries')).toBe(0);
  });

  it('accepts a valid Standard Webhooks signature', async () => {
    const payload = makePayload();
    const body = JSON.stringify(payload);
    const response = await postWebhook(service.url, body, { headers: signatureHeaders(body) });

    expect(response.text).toBe(ACCEPTED_BODY);
    expect((await findMessage(database, String(payload.id)))?.source).toBe('relay');
  });

  it('answers 401 when the signed body was tampered with', async () => {
    const payload = makePayload({ content: 'what was signed' });
    const signed = JSON.stringify(payload);
    const tampered = JSON.stringify({ ...payload, content: 'what was sent' });
    const response = await postWebhook(service.url, tampered, {
      headers: signatureHeaders(signed),
    });

    expectUnauthorized(response);
    expect(await findMessage(database, String(payload.id))).toBeUndefined();
  });

  it('answers 401 to a signature made with another secret', async () => {
    const payload = makePayload();
    const body = JSON.stringify(payload);
    const response = await postWebhook(service.url, body, {
      headers: signatureHeaders(body, { secret: `whsec_${randomBytes(24).toString('base64')}` }),
    });

    expectUnauthorized(response);
    expect(await findMessage(database, String(payload.id))).toBeUndefined();
  });

  it('answers 401 to a signature older than five minutes', async () => {
    const payload = makePayload();
    const body = JSON.stringify(payload);
    const response = await postWebhook(service.url, body, {
      headers: signatureHeaders(body, { signedAt: new Date(Date.now() - 6 * 60 * 1000) }),
    });

    expectUnauthorized(response);
    expect(await findMessage(database, String(payload.id))).toBeUndefined();
  });

  describe('with no secret configured', () => {
    let open: TestApp;

    beforeAll(async () => {
      // API only, so that its sweeper does not take the other app's messages.
      open = await startTestApp(database, {}, ['api']);
    });

    afterAll(async () => {
      await open.close();
    });

    it('accepts every delivery, attributed to the source "default"', async () => {
      const payload = makePayload();
      const response = await postWebhook(open.url, payload);

      expect(response.text).toBe(ACCEPTED_BODY);
      expect((await findMessage(database, String(payload.id)))?.source).toBe('default');
    });
  });
});
