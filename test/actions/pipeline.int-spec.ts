import { Queue } from 'bullmq';

import { DeadLettersService } from '../../src/dead-letters/dead-letters.service';
import { QUEUES, dispatchJobId } from '../../src/infra/queue/queue.constants';
import { MessageEnqueuer } from '../../src/messages';
import { redisOptionsFromUrl } from '../../src/infra/queue/redis-options';
import { findRuns, waitForDispatch, waitForRunState } from '../support/action-runs';
import { fastRetry, writeActionsFile } from '../support/actions-file';
import { makePayload } from '../support/payloads';
import { TargetServer } from '../support/target-server';
import { TestApp, startTestApp } from '../support/test-app';
import { TestDatabase } from '../support/test-database';
import { TEST_REDIS_URL } from '../support/test-env';
import { waitFor } from '../support/wait-for';
import { postWebhook } from '../support/webhook-client';

const CITATION = {
  id: 'f1',
  filename: 'refund-policy.pdf',
  file: 'https://files.example/refund-policy.pdf',
};

describe('actions pipeline: routing, retries, dead letters, replay', () => {
  let database: TestDatabase;
  let service: TestApp;
  const hookTarget = new TargetServer();
  const chatTarget = new TargetServer();
  let deadLetters: Queue;

  beforeAll(async () => {
    database = await TestDatabase.create();

    const hookUrl = await hookTarget.start();
    const chatUrl = await chatTarget.start();
    const actionsFile = writeActionsFile({
      allowPrivateNetworks: true,
      actions: [
        {
          name: 'notify-http',
          type: 'http',
          settings: { url: `${hookUrl}/hook` },
          retry: fastRetry(),
        },
        {
          name: 'chat',
          type: 'chat-notify',
          settings: { url: `${chatUrl}/chat`, text: 'Reply to {{ conversation }}: {{ content }}' },
          retry: fastRetry({ attempts: 2 }),
        },
      ],
      routes: [
        { name: 'outgoing', when: { type: 'outgoing' }, actions: ['notify-http'] },
        {
          name: 'refunds',
          when: { hasCitations: true, contentMatches: '/refund/i' },
          actions: ['chat'],
        },
      ],
    });

    service = await startTestApp(database, { ACTIONS_FILE: actionsFile });
    deadLetters = new Queue(QUEUES.deadLetters, {
      connection: redisOptionsFromUrl(TEST_REDIS_URL),
      prefix: service.config.redis.queuePrefix,
    });
  });

  afterAll(async () => {
    await deadLetters.close();
    await service.close();
    await hookTarget.stop();
    await chatTarget.stop();
    await database.drop();
  });

  async function deliver(
    overrides: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    const payload = makePayload(overrides);
    const response = await postWebhook(service.url, payload);

    expect(response.status).toBe(200);

    return payload;
  }

  function requestsFor(target: TargetServer, messageId: string) {
    return target.requests.filter(
      (request) => request.headers['x-maiagent-message-id'] === messageId,
    );
  }

  it('routes each message to the actions its rules select, and marks the rest unrouted', async () => {
    const outgoing = await deliver({ type: 'outgoing' });
    const refund = await deliver({
      type: 'incoming',
      content: 'About your REFUND',
      citations: [CITATION],
    });
    const neither = await deliver({ type: 'incoming', content: 'hello' });

    await waitForRunState(database, outgoing.id as string, 'notify-http', 'succeeded');
    await waitForRunState(database, refund.id as string, 'chat', 'succeeded');

    expect((await findRuns(database, outgoing.id as string)).map((run) => run.action_name)).toEqual(
      ['notify-http'],
    );
    expect((await findRuns(database, refund.id as string)).map((run) => run.action_name)).toEqual([
      'chat',
    ]);
    expect(await waitForDispatch(database, neither.id as string)).toBe('unrouted');
    expect(await findRuns(database, neither.id as string)).toEqual([]);

    const chat = chatTarget.requests.find((request) =>
      request.body.toString().includes(refund.conversation as string),
    );

    expect(JSON.parse(chat!.body.toString())).toEqual({
      text: `Reply to ${refund.conversation as string}: About your REFUND`,
    });
  });

  it('sends the original body byte for byte with a stable idempotency key', async () => {
    const payload = makePayload({ type: 'outgoing' });
    const raw =
      Buffer.from(`{ "id":"${payload.id as string}",  "conversation":"c-1", "type":"outgoing",
      "content":"caf\u00e9 \u2615" }`);

    expect((await postWebhook(service.url, raw)).status).toBe(200);

    const run = await waitForRunState(database, payload.id as string, 'notify-http', 'succeeded');
    const [request] = requestsFor(hookTarget, payload.id as string);

    expect(request.body.equals(raw)).toBe(true);
    expect(request.headers['idempotency-key']).toBe(`maiagent-${run.id}`);
  });

  it('retries a transient failure and then succeeds, with the same idempotency key', async () => {
    hookTarget.respondWith({ status: 503 }, { status: 502 });
    const payload = await deliver({ type: 'outgoing' });
    const run = await waitForRunState(database, payload.id as string, 'notify-http', 'succeeded');
    const requests = requestsFor(hookTarget, payload.id as string);

    expect(run.attempts).toBe(3);
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((request) => request.headers['idempotency-key'])).size).toBe(1);
  });

  it('waits at least as long as Retry-After asks before the next attempt', async () => {
    hookTarget.respondWith({ status: 429, headers: { 'retry-after': '1' } });
    const payload = await deliver({ type: 'outgoing' });

    await waitForRunState(database, payload.id as string, 'notify-http', 'succeeded');

    const [first, second] = requestsFor(hookTarget, payload.id as string);

    // The policy's own delay is 50 ms; only Retry-After explains a gap of a second.
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(950);
  });

  it('sends a permanent failure straight to the dead letters', async () => {
    hookTarget.respondWith({ status: 400, body: '{"error":"bad field"}' });
    const payload = await deliver({ type: 'outgoing' });
    const run = await waitForRunState(database, payload.id as string, 'notify-http', 'dead');

    expect(run).toMatchObject({ attempts: 1, last_status: 400, last_error_code: 'http_400' });
    expect(requestsFor(hookTarget, payload.id as string)).toHaveLength(1);

    const letter = await waitFor('dead-letter job', async () =>
      (await deadLetters.getJobs(['waiting'])).find((job) => job.data.runId === run.id),
    );

    expect(letter.data).toMatchObject({
      actionName: 'notify-http',
      errorCode: 'http_400',
      status: 400,
    });
  });

  it('dead-letters a run whose attempts are exhausted', async () => {
    hookTarget.respondWith({ status: 503 }, { status: 503 }, { status: 503 });
    const payload = await deliver({ type: 'outgoing' });
    const run = await waitForRunState(database, payload.id as string, 'notify-http', 'dead');

    expect(run).toMatchObject({ attempts: 3, last_status: 503, last_error_code: 'http_503' });
    expect(requestsFor(hookTarget, payload.id as string)).toHaveLength(3);
  });

  it('replays a dead run once; replaying again applies nothing', async () => {
    hookTarget.respondWith({ status: 404 });
    const payload = await deliver({ type: 'outgoing' });
    const dead = await waitForRunState(database, payload.id as string, 'notify-http', 'dead');
    const replays = service.app.get(DeadLettersService);

    expect(await replays.replay({ runId: dead.id })).toMatchObject({ replayed: 1 });

    const replayed = await waitForRunState(
      database,
      payload.id as string,
      'notify-http',
      'succeeded',
    );

    expect(replayed).toMatchObject({ replay_count: 1, attempts: 1 });
    expect(await replays.replay({ runId: dead.id })).toMatchObject({ replayed: 0 });
    expect(
      await replays.replay({ actionName: 'notify-http', errorCode: 'http_404' }),
    ).toMatchObject({
      replayed: 0,
    });

    const requests = requestsFor(hookTarget, payload.id as string);

    expect(requests).toHaveLength(2);
    expect(requests[0].headers['idempotency-key']).toBe(requests[1].headers['idempotency-key']);
    expect((await deadLetters.getJobs(['waiting'])).some((job) => job.data.runId === dead.id)).toBe(
      false,
    );
  });

  it('runs a custom action type with the same dead-letter behaviour', async () => {
    chatTarget.respondWith({ status: 500 }, { status: 500 });
    const payload = await deliver({
      type: 'incoming',
      content: 'refund please',
      citations: [CITATION],
    });
    const run = await waitForRunState(database, payload.id as string, 'chat', 'dead');

    expect(run).toMatchObject({ attempts: 2, last_error_code: 'http_500' });
  });

  it('gives a redelivered message no second run and no second effect', async () => {
    const payload = await deliver({ type: 'outgoing' });

    await waitForRunState(database, payload.id as string, 'notify-http', 'succeeded');
    expect((await postWebhook(service.url, payload)).status).toBe(200);

    // Dispatch again, as a sweeper would after losing track: the job is gone, the rows stay.
    const messages = new Queue(QUEUES.messages, {
      connection: redisOptionsFromUrl(TEST_REDIS_URL),
      prefix: service.config.redis.queuePrefix,
    });

    await messages.remove(dispatchJobId(payload.id as string));
    await messages.close();
    await service.app
      .get(MessageEnqueuer)
      .enqueue([{ messageId: payload.id as string, correlationId: null }]);

    // A replay without force leaves a succeeded run alone.
    const [succeeded] = await findRuns(database, payload.id as string);

    expect(await service.app.get(DeadLettersService).replay({ runId: succeeded.id })).toMatchObject(
      {
        replayed: 0,
      },
    );
    await waitFor('the repeated dispatch job to finish', async () => {
      const queue = new Queue(QUEUES.messages, {
        connection: redisOptionsFromUrl(TEST_REDIS_URL),
        prefix: service.config.redis.queuePrefix,
      });
      const state = await queue.getJobState(dispatchJobId(payload.id as string));

      await queue.close();

      return state === 'completed';
    });

    const runs = await findRuns(database, payload.id as string);

    expect(runs).toHaveLength(1);
    expect(runs[0].state).toBe('succeeded');
    expect(requestsFor(hookTarget, payload.id as string)).toHaveLength(1);
  });
});
