import { randomUUID } from 'node:crypto';

import {
  DISPATCHED_STATUSES,
  MessageRow,
  findMessage,
  isDispatched,
} from '../support/message-rows';
import { makeCitation, makePayload, SPEC_EXAMPLE } from '../support/payloads';
import { TestApp, startTestApp } from '../support/test-app';
import { TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';
import { ACCEPTED_BODY, postWebhook } from '../support/webhook-client';

const SPEC_CREATED_AT = new Date(1728219442000);

describe('payload variants MaiAgent may send', () => {
  let database: TestDatabase;
  let service: TestApp;

  beforeAll(async () => {
    database = await TestDatabase.create();
    service = await startTestApp(database);
  });

  afterAll(async () => {
    await service.close();
    await database.drop();
  });

  /** Delivers `payload`, expects the documented 200 and returns the stored row. */
  async function deliver(payload: Record<string, unknown>): Promise<MessageRow> {
    const response = await postWebhook(service.url, payload);

    expect({ status: response.status, text: response.text }).toEqual({
      status: 200,
      text: ACCEPTED_BODY,
    });

    const row = await findMessage(database, String(payload.id));

    if (!row) {
      throw new Error(`message ${String(payload.id)} was answered 200 but not stored`);
    }

    return row;
  }

  it('stores the spec example exactly and dispatches it', async () => {
    const row = await deliver(SPEC_EXAMPLE);

    expect(row).toMatchObject({
      message_id: 'msg123',
      source: 'default',
      conversation: 'conv456',
      type: 'outgoing',
      sender_id: '789',
      sender_name: 'Test User',
      sender_avatar: '<https://example.com/avatar.jpg>',
      content: 'This is a webhook test message',
      feedback: null,
      attachments: [],
      citations: [],
      message_created_at: SPEC_CREATED_AT,
    });
    expect(row.raw_body.toString('utf8')).toBe(JSON.stringify(SPEC_EXAMPLE));

    const dispatched = await waitFor('spec example dispatched', () =>
      isDispatched(database, 'msg123'),
    );

    expect(DISPATCHED_STATUSES).toContain(dispatched.status);
  });

  it('answers 200, not 201, with exactly the documented JSON body', async () => {
    const response = await postWebhook(service.url, makePayload());

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.text).toBe('{"message":"Webhook received successfully"}');
  });

  it('accepts a JSON content type with a charset parameter', async () => {
    const payload = makePayload();
    const response = await postWebhook(service.url, payload, {
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });

    expect(response.text).toBe(ACCEPTED_BODY);
    expect(await findMessage(database, String(payload.id))).toBeDefined();
  });

  it('reads the camelCase createdAt of the parameter table', async () => {
    const row = await deliver(makePayload({ created_at: undefined, createdAt: '1728219442000' }));

    expect(row.message_created_at).toEqual(SPEC_CREATED_AT);
  });

  it('reads the snake_case created_at of the example', async () => {
    const row = await deliver(makePayload({ created_at: '1728219442000' }));

    expect(row.message_created_at).toEqual(SPEC_CREATED_AT);
  });

  it('reads a timestamp given as a JSON number', async () => {
    const row = await deliver(makePayload({ created_at: 1728219442000 }));

    expect(row.message_created_at).toEqual(SPEC_CREATED_AT);
  });

  it('reads a timestamp given as a digit string', async () => {
    const row = await deliver(makePayload({ createdAt: '1728219442123', created_at: undefined }));

    expect(row.message_created_at).toEqual(new Date(1728219442123));
  });

  it('reads a timestamp given as an ISO-8601 string', async () => {
    const row = await deliver(makePayload({ createdAt: '2024-10-06T20:57:22.5+08:00' }));

    expect(row.message_created_at).toEqual(new Date(1728219442500));
  });

  it('stores a numeric sender id as text', async () => {
    const row = await deliver(makePayload({ sender: { id: 789, name: 'n', avatar: '' } }));

    expect(row.sender_id).toBe('789');
  });

  it('stores a string sender id as given', async () => {
    const row = await deliver(makePayload({ sender: { id: 'user-0042', name: 'n', avatar: '' } }));

    expect(row.sender_id).toBe('user-0042');
    expect(row.sender_avatar).toBe('');
  });

  it('accepts message ids that are not UUIDs', async () => {
    const id = `msg:${randomUUID()}/42 x`;
    const row = await deliver(makePayload({ id }));

    expect(row.message_id).toBe(id);
    await waitFor('non-UUID message dispatched', () => isDispatched(database, id));
  });

  it('accepts a numeric message id and keeps it as text', async () => {
    const id = Math.floor(Math.random() * 1e12);
    const row = await deliver(makePayload({ id }));

    expect(row.message_id).toBe(String(id));
    await waitFor('numeric message dispatched', () => isDispatched(database, String(id)));
  });

  it('stores null feedback as SQL null', async () => {
    const row = await deliver(makePayload({ feedback: null }));

    expect(row.feedback).toBeNull();
  });

  it('stores object feedback as JSON', async () => {
    const feedback = { rating: 'up', comment: 'helpful', tags: ['a', { nested: [1, 2] }] };
    const row = await deliver(makePayload({ feedback }));

    expect(row.feedback).toEqual(feedback);
  });

  it('keeps citations with the documented fields and with unknown extra fields', async () => {
    const citations = [
      makeCitation(),
      makeCitation({ size: '4096', createdAt: 1728219442000, page: 7, chunk: { from: 1, to: 9 } }),
    ];
    const row = await deliver(makePayload({ citations }));

    expect(row.citations).toEqual(citations);
  });

  it('keeps attachments as sent', async () => {
    const attachments = [{ id: 'a1', type: 'image', filename: 'x.png', file: 'https://x/x.png' }];
    const row = await deliver(makePayload({ attachments }));

    expect(row.attachments).toEqual(attachments);
  });

  it('accepts unknown top-level fields such as citationNodes and keeps them in the raw body', async () => {
    const payload = makePayload({
      citationNodes: [{ id: 'node-1', text: 'a passage', score: 0.9 }],
      somethingNew: { any: 'shape' },
    });
    const row = await deliver(payload);

    expect(JSON.parse(row.raw_body.toString('utf8'))).toEqual(payload);
  });

  it('stores the raw body byte for byte', async () => {
    const id = randomUUID();
    const body =
      `{\n\t"content" :  "h\\u00e9llo — 你好 👋 \\"quoted\\"",  "conversation":"c-${id}",\r\n` +
      `  "id"   :"${id}",   "sender":{"avatar":"","id":  7 ,"name":"Zoë"}, ` +
      `"created_at":"1728219442000","attachments":[ ],"citations":[],"feedback":null}\n\n`;
    const response = await postWebhook(service.url, Buffer.from(body, 'utf8'));

    expect(response.status).toBe(200);

    const row = await findMessage(database, id);

    expect(row?.raw_body.equals(Buffer.from(body, 'utf8'))).toBe(true);
    expect(row?.content).toBe('héllo — 你好 👋 "quoted"');
    expect(row?.sender_name).toBe('Zoë');
  });

  it('stores text Postgres cannot hold (NUL, lone surrogates) instead of failing every retry', async () => {
    const id = randomUUID();
    const body =
      `{"id":"${id}","conversation":"c","content":"a\\u0000b\\ud800",` +
      `"feedback":{"note":"x\\u0000"},"citations":[{"filename":"\\udc00.txt"}]}`;
    const response = await postWebhook(service.url, body);

    expect(response.status).toBe(200);

    const row = await findMessage(database, id);

    expect(row?.content).toBe('a\ufffdb\ufffd');
    expect(row?.feedback).toEqual({ note: 'x\ufffd' });
    expect(row?.citations).toEqual([{ filename: '\ufffd.txt' }]);
    expect(row?.raw_body.toString('utf8')).toBe(body);
  });

  it('accepts a client request id longer than the correlation column', async () => {
    const payload = makePayload();
    const response = await postWebhook(service.url, payload, {
      headers: { 'x-request-id': 'r'.repeat(300) },
    });

    expect(response.status).toBe(200);

    const row = await findMessage(database, String(payload.id));

    expect(row?.correlation_id).toBe('r'.repeat(128));
  });
});
