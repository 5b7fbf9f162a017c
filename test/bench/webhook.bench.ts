import { ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Client } from 'pg';

import { loadConfig } from '../../src/infra/config';
import { prepareDatabase } from '../../src/infra/database/prepare-database';
import { createLogger } from '../../src/infra/logging/logger';
import { QUEUES } from '../../src/infra/queue/queue.constants';
import { redisOptionsFromUrl } from '../../src/infra/queue/redis-options';
import { SPEC_EXAMPLE } from '../support/payloads';
import { TEST_POSTGRES_URL, TEST_REDIS_URL, databaseUrl } from '../support/test-env';
import { waitFor } from '../support/wait-for';
import { ServerKind } from './bench-server';

/*
 * `npm run bench`: load on the real API (api role, fresh database, own queue
 * prefix) and, in the same run, on a naive baseline: bare Fastify doing one
 * INSERT ... ON CONFLICT DO NOTHING and one BullMQ add per request before
 * answering. Each server runs in a child process (bench-server.ts) so its RSS
 * is its own; the load generator runs here. Traffic goes to 127.0.0.1 only.
 */

interface Scenario {
  name: string;
  description: string;
  isUniqueIds: boolean;
  warmupSeconds: number;
  /** Each server is measured twice, in the order A B B A, so neither always runs first. */
  roundSeconds: number;
}

interface Measurement {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  peakRssMb: number | null;
  responses2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

interface ServerHandle {
  kind: ServerKind;
  child: ChildProcess;
  url: string;
  database: string;
  queuePrefix: string;
  idleRssMb: number | null;
  /** 200s answered for unique ids, warm-ups included: each must be a stored row. */
  acceptedUnique: number;
}

const HOST = '127.0.0.1';
const CONNECTIONS = 50;
const SCENARIOS: Scenario[] = [
  {
    name: 'unique',
    description: 'a new message id per request',
    isUniqueIds: true,
    warmupSeconds: 2,
    roundSeconds: 5,
  },
  {
    name: 'dedup',
    description: 'one message id repeated',
    isUniqueIds: false,
    warmupSeconds: 1,
    roundSeconds: 3,
  },
];
/** The whole run stops itself after this, servers and data cleaned up. */
const RUN_DEADLINE_MS = 110_000;
const RESULTS_FILE = resolve(process.cwd(), 'bench-results.json');

// ---------------------------------------------------------------------------
// Parent: starts both servers, drives the load, reports, cleans up.

/** The baseline's table is the service's own schema, migrated here so its process stays bare. */
async function migrateBaselineDatabase(database: string): Promise<void> {
  const config = loadConfig({ DATABASE_URL: databaseUrl(database), DATABASE_AUTO_CREATE: 'true' });

  await prepareDatabase(config.database, createLogger('silent'), { isMigrating: true });
}

function startServer(kind: ServerKind, database: string, queuePrefix: string) {
  const child = fork(join(__dirname, 'bench-server.js'), [kind, database, queuePrefix], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });

  return new Promise<ServerHandle>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} server did not start`)), 60_000);

    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} server exited with code ${code}`));
    });
    child.once('message', (message) => {
      const { port } = message as { port: number };

      clearTimeout(timer);
      resolvePromise({
        kind,
        child,
        url: `http://${HOST}:${port}/maiagent/webhook`,
        database,
        queuePrefix,
        idleRssMb: readRssMb(child.pid),
        acceptedUnique: 0,
      });
    });
  });
}

function stopServer(server: ServerHandle): Promise<void> {
  return new Promise((resolvePromise) => {
    if (server.child.exitCode !== null) {
      resolvePromise();

      return;
    }

    const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);

    server.child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    server.child.send('stop');
  });
}

/** Resident set of a process in MiB, from /proc (Linux); null elsewhere. */
function readRssMb(pid: number | undefined): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);

    return kib ? Number(kib[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function sampleRss(pid: number | undefined): () => number | null {
  let peak: number | null = readRssMb(pid);
  const timer = setInterval(() => {
    const now = readRssMb(pid);

    if (now !== null && (peak === null || now > peak)) {
      peak = now;
    }
  }, 200);

  return () => {
    clearInterval(timer);

    return peak;
  };
}

function scenarioBody(scenario: Scenario, suffix: string): string {
  const id = scenario.isUniqueIds ? '[<id>]' : `dup-${suffix}`;

  return JSON.stringify({ ...SPEC_EXAMPLE, id });
}

function load(server: ServerHandle, scenario: Scenario, body: string, seconds: number) {
  return autocannon({
    url: server.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
    duration: seconds,
    idReplacement: scenario.isUniqueIds,
    timeout: 10,
  });
}

async function countRows(database: string, sql: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl(database) });

  await client.connect();
  try {
    const result = await client.query<{ n: number }>(sql);

    return result.rows[0].n;
  } finally {
    await client.end();
  }
}

/** Our API enqueues after answering; let that finish so it does not load the next run. */
async function settle(server: ServerHandle): Promise<void> {
  if (server.kind !== 'ours') {
    return;
  }
  await waitFor(
    'the outbox to drain',
    async () =>
      (await countRows(
        server.database,
        'SELECT count(*)::int AS n FROM messages WHERE enqueued_at IS NULL',
      )) === 0,
    { timeoutMs: 20_000, intervalMs: 100 },
  );
}

async function warmUp(server: ServerHandle, scenario: Scenario, body: string): Promise<void> {
  const result = await load(server, scenario, body, scenario.warmupSeconds);

  await settle(server);
  if (scenario.isUniqueIds) {
    server.acceptedUnique += result['2xx'];
  }
}

async function measureRound(
  server: ServerHandle,
  scenario: Scenario,
  body: string,
): Promise<Measurement> {
  const stopSampling = sampleRss(server.child.pid);
  const result = await load(server, scenario, body, scenario.roundSeconds);
  const peakRssMb = stopSampling();

  await settle(server);
  if (scenario.isUniqueIds) {
    server.acceptedUnique += result['2xx'];
  }

  return {
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    peakRssMb,
    responses2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** Rounds of equal length: means of rates and percentiles, the highest RSS, summed counts. */
function combineRounds(rounds: Measurement[]): Measurement {
  const mean = (pick: (m: Measurement) => number) =>
    Math.round((rounds.reduce((sum, m) => sum + pick(m), 0) / rounds.length) * 10) / 10;
  const sum = (pick: (m: Measurement) => number) => rounds.reduce((total, m) => total + pick(m), 0);
  const rss = rounds.map((m) => m.peakRssMb).filter((value): value is number => value !== null);

  return {
    requestsPerSecond: mean((m) => m.requestsPerSecond),
    latencyP50Ms: mean((m) => m.latencyP50Ms),
    latencyP99Ms: mean((m) => m.latencyP99Ms),
    peakRssMb: rss.length > 0 ? Math.max(...rss) : null,
    responses2xx: sum((m) => m.responses2xx),
    non2xx: sum((m) => m.non2xx),
    errors: sum((m) => m.errors),
    timeouts: sum((m) => m.timeouts),
  };
}

async function countJobs(queuePrefix: string): Promise<number> {
  const queue = new Queue(QUEUES.messages, {
    connection: redisOptionsFromUrl(TEST_REDIS_URL),
    prefix: queuePrefix,
  });

  try {
    const counts = await queue.getJobCounts();

    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  } finally {
    await queue.close();
  }
}

async function cleanUp(databases: string[], queuePrefixes: string[]): Promise<void> {
  const admin = new Client({ connectionString: TEST_POSTGRES_URL });

  await admin.connect();
  try {
    for (const database of databases) {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }

  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });

  try {
    for (const prefix of queuePrefixes) {
      let cursor = '0';

      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);

        cursor = next;
        if (keys.length > 0) {
          await redis.unlink(...keys);
        }
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}

function ratio(ours: number | null, baseline: number | null): number | null {
  if (ours === null || baseline === null || baseline === 0) {
    return null;
  }

  return Math.round((ours / baseline) * 100) / 100;
}

function formatTable(
  results: Record<string, Record<ServerKind, Measurement>>,
  servers: ServerHandle[],
): string {
  const header = ['scenario', 'server', 'req/s', 'p50 ms', 'p99 ms', 'peak RSS MiB', 'non-2xx+err'];
  const rows: string[][] = [header];
  const number = (value: number | null, digits = 0) =>
    value === null ? 'n/a' : value.toFixed(digits);
  const times = (value: number | null) => (value === null ? 'n/a' : `${value.toFixed(2)}x`);

  for (const [name, byKind] of Object.entries(results)) {
    for (const kind of ['ours', 'baseline'] as const) {
      const m = byKind[kind];

      rows.push([
        name,
        kind,
        number(m.requestsPerSecond),
        number(m.latencyP50Ms),
        number(m.latencyP99Ms),
        number(m.peakRssMb),
        String(m.non2xx + m.errors + m.timeouts),
      ]);
    }

    const { ours, baseline } = byKind;

    rows.push([
      name,
      'ours/base',
      times(ratio(ours.requestsPerSecond, baseline.requestsPerSecond)),
      times(ratio(ours.latencyP50Ms, baseline.latencyP50Ms)),
      times(ratio(ours.latencyP99Ms, baseline.latencyP99Ms)),
      times(ratio(ours.peakRssMb, baseline.peakRssMb)),
      '',
    ]);
  }

  const widths = header.map((_title, column) => Math.max(...rows.map((row) => row[column].length)));
  const lines = rows.map((row) =>
    row
      .map((cell, column) =>
        column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
      )
      .join('  '),
  );
  const idle = servers.map((server) => `${server.kind} ${number(server.idleRssMb)} MiB`).join(', ');

  return [...lines, '', `idle RSS after start: ${idle}`].join('\n');
}

async function runBenchmark(): Promise<void> {
  const suffix = randomBytes(4).toString('hex');
  const databases = { ours: `maiagent_bench_${suffix}`, baseline: `maiagent_bench_base_${suffix}` };
  const prefixes = { ours: `bench_${suffix}`, baseline: `benchbase_${suffix}` };
  const servers: ServerHandle[] = [];
  const watchdog = setTimeout(() => {
    process.stderr.write(`benchmark exceeded ${RUN_DEADLINE_MS} ms; stopping\n`);
    servers.forEach((server) => server.child.kill('SIGKILL'));
    void cleanUp(Object.values(databases), Object.values(prefixes)).finally(() => process.exit(1));
  }, RUN_DEADLINE_MS);
  const startedAt = Date.now();

  try {
    servers.push(await startServer('ours', databases.ours, prefixes.ours));
    await migrateBaselineDatabase(databases.baseline);
    servers.push(await startServer('baseline', databases.baseline, prefixes.baseline));

    const results: Record<string, Record<ServerKind, Measurement>> = {};
    const roundsByScenario: Record<string, Record<ServerKind, Measurement[]>> = {};

    for (const scenario of SCENARIOS) {
      const body = scenarioBody(scenario, suffix);
      const [first, second] = servers;
      const rounds: Record<ServerKind, Measurement[]> = { ours: [], baseline: [] };

      process.stdout.write(`${scenario.name}: ${scenario.description}\n`);
      for (const server of servers) {
        await warmUp(server, scenario, body);
      }
      for (const server of [first, second, second, first]) {
        process.stdout.write(`  ${scenario.roundSeconds} s against ${server.kind}\n`);
        rounds[server.kind].push(await measureRound(server, scenario, body));
      }
      results[scenario.name] = {
        ours: combineRounds(rounds.ours),
        baseline: combineRounds(rounds.baseline),
      };
      roundsByScenario[scenario.name] = rounds;
    }

    // Every 200 must be a committed row with a job: the point of the service.
    const checks = [];

    for (const server of servers) {
      const rows = await countRows(server.database, 'SELECT count(*)::int AS n FROM messages');
      const jobs = await countJobs(server.queuePrefix);
      const minimum = server.acceptedUnique + 1;

      checks.push({
        server: server.kind,
        rows,
        jobs,
        accepted200sUnique: server.acceptedUnique,
        isEvery200Stored: rows >= minimum,
        isEveryRowQueued: jobs === rows,
      });
    }

    const report = {
      finishedAt: new Date().toISOString(),
      elapsedSeconds: Math.round((Date.now() - startedAt) / 1000),
      machine: {
        node: process.version,
        cpus: cpus().length,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
      },
      settings: { target: HOST, connections: CONNECTIONS, scenarios: SCENARIOS },
      baseline:
        'bare Fastify 5: JSON.parse, one INSERT ... ON CONFLICT DO NOTHING (pg Pool, 10 connections) and one BullMQ queue.add per request, then 200',
      ours: "createApp(roles ['api']) with default settings, fresh database migrated on start",
      results: Object.fromEntries(
        Object.entries(results).map(([name, { ours, baseline }]) => [
          name,
          {
            ours,
            baseline,
            rounds: roundsByScenario[name],
            ratioOursToBaseline: {
              requestsPerSecond: ratio(ours.requestsPerSecond, baseline.requestsPerSecond),
              latencyP50Ms: ratio(ours.latencyP50Ms, baseline.latencyP50Ms),
              latencyP99Ms: ratio(ours.latencyP99Ms, baseline.latencyP99Ms),
              peakRssMb: ratio(ours.peakRssMb, baseline.peakRssMb),
            },
          },
        ]),
      ),
      idleRssMb: Object.fromEntries(servers.map((server) => [server.kind, server.idleRssMb])),
      checks,
    };

    process.stdout.write(
      `\nMaiAgent webhook intake, ${CONNECTIONS} connections to ${HOST}, ` +
        `node ${process.version}, ${cpus().length} CPUs\n` +
        'ours = the real API; base = naive Fastify (INSERT + queue.add per request)\n' +
        'each figure: mean of 2 rounds per server, run in the order A B B A (RSS: highest)\n' +
        'req/s: higher is better; latency and RSS: lower is better\n\n' +
        `${formatTable(results, servers)}\n\n`,
    );
    for (const check of checks) {
      process.stdout.write(
        `${check.server}: ${check.rows} rows, ${check.jobs} jobs` +
          `${check.isEvery200Stored && check.isEveryRowQueued ? '' : '  <-- MISMATCH'}\n`,
      );
    }
    writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\nwritten to ${RESULTS_FILE}\n`);
  } finally {
    await Promise.allSettled(servers.map((server) => stopServer(server)));
    await cleanUp(Object.values(databases), Object.values(prefixes));
    clearTimeout(watchdog);
  }
}

runBenchmark().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
