import { DISPATCHED_STATUSES } from '../support/message-rows';
import { SPEC_EXAMPLE } from '../support/payloads';
import { TestApp, startTestApp } from '../support/test-app';
import { TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';

describe('the webhook page example', () => {
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

  it('answers 200 with the documented body and dispatches the message', async () => {
    const response = await fetch(`${service.url}/maiagent/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(SPEC_EXAMPLE),
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: 'Webhook received successfully' });

    // Without an actions file the dispatcher marks messages unrouted rather than dispatched.
    const [row] = await waitFor('message dispatched', async () => {
      const rows = await database.query<{ status: string; sender_id: string }>(
        "SELECT status, sender_id FROM messages WHERE message_id = 'msg123'",
      );

      return rows[0] && DISPATCHED_STATUSES.includes(rows[0].status) ? rows : undefined;
    });

    expect(row.sender_id).toBe('789');
  });
});
