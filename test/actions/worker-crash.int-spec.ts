import { waitForRunState } from '../support/action-runs';
import { fastRetry, writeActionsFile } from '../support/actions-file';
import { makePayload } from '../support/payloads';
import { TargetServer, gate } from '../support/target-server';
import { TestApp, startTestApp, uniqueQueuePrefix } from '../support/test-app';
import { TestDatabase } from '../support/test-database';
import { baseTestEnvironment } from '../support/test-env';
import { waitFor } from '../support/wait-for';
import { postWebhook } from '../support/webhook-client';
import { WorkerProcess } from '../support/worker-process';

describe('a worker killed in the middle of an action', () => {
  let database: TestDatabase;
  const target = new TargetServer();
  const apps: TestApp[] = [];
  let crashing: WorkerProcess | undefined;

  afterAll(async () => {
    await crashing?.kill();
    await Promise.all(apps.map((app) => app.close()));
    await target.stop();
    await database.drop();
  });

  it('lets the action complete after restart, applied once downstream', async () => {
    database = await TestDatabase.create();

    const url = await target.start();
    const env = {
      ACTIONS_FILE: writeActionsFile({
        allowPrivateNetworks: true,
        actions: [
          {
            name: 'notify',
            type: 'http',
            settings: { url: `${url}/hook` },
            retry: fastRetry({ timeoutMs: 20_000 }),
          },
        ],
        routes: [{ name: 'all', actions: ['notify'] }],
      }),
      QUEUE_PREFIX: uniqueQueuePrefix(),
      // A killed worker's job is recovered once its lock expires.
      WORKER_LOCK_DURATION_MS: '1000',
    };
    const held = gate();

    target.respondWith({ status: 200, hold: held.promise });
    apps.push(await startTestApp(database, env, ['api']));
    crashing = WorkerProcess.start({
      ...baseTestEnvironment(),
      DATABASE_URL: database.url,
      ...env,
    });

    const payload = makePayload();

    expect((await postWebhook(apps[0].url, payload)).status).toBe(200);
    await waitFor('the first attempt to reach the target', () => target.requests.length === 1, {
      timeoutMs: 30_000,
    });

    // The downstream applies the request, but the worker dies before hearing back.
    await crashing.kill();
    held.open();
    apps.push(await startTestApp(database, env, ['worker']));

    const run = await waitForRunState(
      database,
      payload.id as string,
      'notify',
      'succeeded',
      30_000,
    );
    const keys = target.requests.map((request) => request.headers['idempotency-key']);

    expect(run.attempts).toBe(2);
    expect(keys).toEqual([`maiagent-${run.id}`, `maiagent-${run.id}`]);
    expect([...target.appliedKeys]).toEqual([`maiagent-${run.id}`]);
  });
});
