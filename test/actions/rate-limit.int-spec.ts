import { waitForRunState } from '../support/action-runs';
import { fastRetry, writeActionsFile } from '../support/actions-file';
import { makePayload } from '../support/payloads';
import { TargetServer } from '../support/target-server';
import { TestApp, startTestApp } from '../support/test-app';
import { TestDatabase } from '../support/test-database';
import { postWebhook } from '../support/webhook-client';

describe("an action's rate limit", () => {
  let database: TestDatabase;
  let service: TestApp;
  const target = new TargetServer();

  beforeAll(async () => {
    database = await TestDatabase.create();

    const url = await target.start();

    service = await startTestApp(database, {
      ACTIONS_FILE: writeActionsFile({
        allowPrivateNetworks: true,
        actions: [
          {
            name: 'throttled',
            type: 'http',
            settings: { url: `${url}/hook` },
            retry: fastRetry({ concurrency: 5, rateLimit: { max: 1, durationMs: 400 } }),
          },
        ],
        routes: [{ name: 'all', actions: ['throttled'] }],
      }),
    });
  });

  afterAll(async () => {
    await service.close();
    await target.stop();
    await database.drop();
  });

  it('spaces attempts out even when more could run at once', async () => {
    const payloads = [makePayload(), makePayload(), makePayload()];

    for (const payload of payloads) {
      expect((await postWebhook(service.url, payload)).status).toBe(200);
    }
    for (const payload of payloads) {
      await waitForRunState(database, payload.id as string, 'throttled', 'succeeded');
    }

    const times = target.requests.map((request) => request.receivedAt).sort((a, b) => a - b);

    expect(times).toHaveLength(3);
    // One per 400 ms window: three requests need at least two windows.
    expect(times[2] - times[0]).toBeGreaterThanOrEqual(700);
  });
});
