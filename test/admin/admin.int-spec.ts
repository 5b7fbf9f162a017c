import { waitForRunState } from '../support/action-runs';
import { fastRetry, writeActionsFile } from '../support/actions-file';
import { makePayload } from '../support/payloads';
import { TargetServer } from '../support/target-server';
import { TestApp, startTestApp } from '../support/test-app';
import { TestDatabase } from '../support/test-database';
import { baseTestEnvironment } from '../support/test-env';
import { postWebhook } from '../support/webhook-client';
import { WorkerProcess } from '../support/worker-process';

const ADMIN = { ADMIN_USERNAME: 'ops', ADMIN_PASSWORD: 'correct-horse-battery' };
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const GOOD = basic(ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD);

describe('operators: Bull Board, admin API and start-up checks', () => {
  let database: TestDatabase;
  let service: TestApp;
  let bare: TestApp;
  const target = new TargetServer();

  beforeAll(async () => {
    database = await TestDatabase.create();

    const url = await target.start();
    const actionsFile = writeActionsFile({
      allowPrivateNetworks: true,
      actions: [
        {
          name: 'notify-crm',
          type: 'http',
          settings: { url: `${url}/hook` },
          retry: fastRetry({ attempts: 1 }),
        },
      ],
      routes: [{ name: 'all', actions: ['notify-crm'] }],
    });

    service = await startTestApp(database, { ...ADMIN, ACTIONS_FILE: actionsFile });
    bare = await startTestApp(database, {}, ['api']);
  });

  afterAll(async () => {
    await service.close();
    await bare.close();
    await target.stop();
    await database.drop();
  });

  it.each([
    '/admin/queues',
    '/admin/queues/api/queues',
    '/admin/api/stats',
    '/admin/api/dead-letters',
  ])('answers 401 on %s without or with wrong credentials', async (path) => {
    for (const authorization of [undefined, basic('ops', 'wrong-password')]) {
      const response = await fetch(`${service.url}${path}`, {
        headers: authorization ? { authorization } : {},
      });

      expect(response.status).toBe(401);
    }
  });

  it('answers 401 on every admin path when no credentials are configured', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues', '/admin/api/stats']) {
      expect((await fetch(`${bare.url}${path}`, { headers: { authorization: GOOD } })).status).toBe(
        401,
      );
    }
  });

  it('reports liveness and readiness without credentials', async () => {
    const live = await fetch(`${service.url}/health/live`);
    const ready = await fetch(`${service.url}/health/ready`);

    expect(live.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', postgres: 'up', redis: 'up' });
  });

  it('shows every queue under a readable name, dead letters included', async () => {
    const page = await fetch(`${service.url}/admin/queues`, { headers: { authorization: GOOD } });

    expect(page.status).toBe(200);

    const response = await fetch(`${service.url}/admin/queues/api/queues`, {
      headers: { authorization: GOOD },
    });
    const body = (await response.json()) as { queues: { name: string; displayName?: string }[] };

    expect(response.status).toBe(200);
    expect(body.queues.map((queue) => queue.displayName)).toEqual(
      expect.arrayContaining([
        'Incoming messages (dispatch)',
        'Action: notify-crm',
        'Dead letters',
      ]),
    );
  });

  it('lists dead runs and replays them through the admin API', async () => {
    target.respondWith({ status: 422 });
    const payload = makePayload();

    expect((await postWebhook(service.url, payload)).status).toBe(200);

    const dead = await waitForRunState(database, payload.id as string, 'notify-crm', 'dead');
    const listed = await fetch(`${service.url}/admin/api/dead-letters`, {
      headers: { authorization: GOOD },
    });

    expect(((await listed.json()) as { id: string }[]).map((run) => run.id)).toContain(dead.id);

    const replay = (body: unknown) =>
      fetch(`${service.url}/admin/api/dead-letters/replay`, {
        method: 'POST',
        headers: { authorization: GOOD, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const invalid = await replay({ runId: 'not-a-uuid', colour: 'red' });

    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toMatch(/runId must be a UUID/);

    const first = await replay({ actionName: 'notify-crm', errorCode: 'http_422' });

    expect(await first.json()).toEqual({ replayed: 1, runIds: [dead.id] });
    await waitForRunState(database, payload.id as string, 'notify-crm', 'succeeded');
    expect(await (await replay({ runId: dead.id })).json()).toEqual({ replayed: 0, runIds: [] });

    const message = await fetch(`${service.url}/admin/api/messages/${payload.id as string}`, {
      headers: { authorization: GOOD },
    });

    expect(await message.json()).toMatchObject({
      messageId: payload.id,
      runs: [{ actionName: 'notify-crm', state: 'succeeded', replayCount: 1 }],
    });
  });

  it('lists quarantined deliveries with their problems', async () => {
    const invalid = { conversation: 'conv-without-id', content: 'hello' };

    expect((await postWebhook(service.url, invalid)).status).toBe(200);

    const response = await fetch(`${service.url}/admin/api/quarantine`, {
      headers: { authorization: GOOD },
    });
    const entries = (await response.json()) as { rawBody: string; problems: string[] }[];
    const entry = entries.find((item) => item.rawBody === JSON.stringify(invalid));

    expect(entry?.problems).toEqual([expect.stringMatching(/^id /)]);
  });

  it('refuses to start with an invalid actions file, naming the action and key', async () => {
    const actionsFile = writeActionsFile({
      actions: [{ name: 'broken', type: 'email', settings: { from: 'x' } }],
      routes: [],
    });
    const { code, stderr } = await WorkerProcess.runToExit({
      ...baseTestEnvironment(),
      DATABASE_URL: database.url,
      ACTIONS_FILE: actionsFile,
    });

    expect(code).toBe(1);
    expect(stderr).toContain('Invalid actions configuration');
    expect(stderr).toMatch(/actions\[broken\]\.settings\.to: /);
    // An operator error, not a crash: no stack trace.
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
