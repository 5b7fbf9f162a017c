import { ConfigError, loadConfig } from './load-config';

const SALES_TOKEN = 'sales-token-0123456789';
const SIGNING_SECRET = 'whsec_c2lnbmluZy1zZWNyZXQtZm9yLXRlc3Rz';

/** The ConfigError `loadConfig(env)` throws; fails the test when it does not throw one. */
function configErrorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig', () => {
  it('starts from working defaults when nothing is set', () => {
    const config = loadConfig({});

    expect(config).toMatchObject({
      env: 'development',
      host: '0.0.0.0',
      port: 3000,
      logLevel: 'info',
      database: {
        url: 'postgres://postgres@127.0.0.1:5432/maiagent',
        poolSize: 10,
        isAutoCreate: true,
        isMigrateOnStart: true,
      },
      redis: { url: 'redis://127.0.0.1:6379', queuePrefix: 'maiagent' },
      webhook: {
        bodyLimitBytes: 1024 * 1024,
        invalidPayload: 'quarantine',
        tokenHeader: 'x-webhook-token',
        sources: [],
        maxBatchSize: 500,
      },
    });
    expect(config.database.connectTimeoutMs).toBeGreaterThan(0);
    expect(config.database.queryTimeoutMs).toBeGreaterThan(0);
    expect(config.outbox.sweepIntervalMs).toBeGreaterThan(0);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', WEBHOOK_SECRET: '' })).toMatchObject({
      port: 3000,
      webhook: { sources: [] },
    });
  });

  it('turns numbers and booleans into their types', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_POOL_SIZE: '4',
      DATABASE_AUTO_CREATE: 'false',
      MIGRATIONS_RUN: '0',
      WEBHOOK_BODY_LIMIT_BYTES: '2048',
    });

    expect(config.port).toBe(8080);
    expect(config.database.poolSize).toBe(4);
    expect(config.database.isAutoCreate).toBe(false);
    expect(config.database.isMigrateOnStart).toBe(false);
    expect(config.webhook.bodyLimitBytes).toBe(2048);
  });

  it('reads "1" as true, as the boolean check accepts it', () => {
    const config = loadConfig({ DATABASE_AUTO_CREATE: '1', MIGRATIONS_RUN: '1' });

    expect(config.database.isAutoCreate).toBe(true);
    expect(config.database.isMigrateOnStart).toBe(true);
  });

  it('builds the sources from WEBHOOK_SECRET, WEBHOOK_SOURCES and WEBHOOK_SIGNING_SECRETS', () => {
    const config = loadConfig({
      WEBHOOK_SECRET: 'default-token-0123456789',
      WEBHOOK_SOURCES: ` sales:${SALES_TOKEN} , support:support-token-0123456789`,
      WEBHOOK_SIGNING_SECRETS: `support:${SIGNING_SECRET}`,
    });

    expect(config.webhook.sources).toEqual([
      { name: 'default', token: 'default-token-0123456789' },
      { name: 'sales', token: SALES_TOKEN },
      { name: 'support', token: 'support-token-0123456789', signingSecret: SIGNING_SECRET },
    ]);
  });

  it('lists every offending variable by name, not just the first', () => {
    const error = configErrorOf({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://db/x',
      DATABASE_POOL_SIZE: '0',
      REDIS_URL: 'http://localhost:6379',
      QUEUE_PREFIX: 'has spaces',
      WEBHOOK_BODY_LIMIT_BYTES: '10',
      WEBHOOK_INVALID_PAYLOAD: 'drop',
      DATABASE_AUTO_CREATE: 'yes',
    });
    const keys = [
      'PORT',
      'LOG_LEVEL',
      'DATABASE_URL',
      'DATABASE_POOL_SIZE',
      'REDIS_URL',
      'QUEUE_PREFIX',
      'WEBHOOK_BODY_LIMIT_BYTES',
      'WEBHOOK_INVALID_PAYLOAD',
      'DATABASE_AUTO_CREATE',
    ];

    expect(new Set(error.problems.map((problem) => problem.split(':')[0]))).toEqual(new Set(keys));
    for (const key of keys) {
      expect(error.message).toContain(key);
    }
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ SOMETHING_ELSE: 'x', PATH: '/bin' }).port).toBe(3000);
  });

  it.each([
    ['a short WEBHOOK_SECRET', { WEBHOOK_SECRET: 'short-secret-1' }, 'short-secret-1'],
    ['a short source token', { WEBHOOK_SOURCES: 'sales:tooshort-tok' }, 'tooshort-tok'],
    ['a source list without names', { WEBHOOK_SOURCES: 'just-a-secret-value' }, 'just-a-secret'],
    ['a bad signing secret', { WEBHOOK_SIGNING_SECRETS: 'relay:secretvalue99' }, 'secretvalue99'],
    ['a short ADMIN_PASSWORD', { ADMIN_PASSWORD: 'pw12345' }, 'pw12345'],
  ])('rejects %s without echoing the secret', (_label, env, secret) => {
    const error = configErrorOf(env);

    expect(error.problems.length).toBeGreaterThan(0);
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error.problems)).not.toContain(secret);
  });

  it('names the source whose token is too short, and every key at fault', () => {
    const error = configErrorOf({
      WEBHOOK_SECRET: 'short',
      WEBHOOK_SOURCES: 'sales:short-sales',
      WEBHOOK_SIGNING_SECRETS: 'relay:not-a-whsec',
      ADMIN_PASSWORD: 'pw',
    });

    expect(error.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^WEBHOOK_SECRET:/),
        expect.stringMatching(/^WEBHOOK_SOURCES:.*"sales"/),
        expect.stringMatching(/^WEBHOOK_SIGNING_SECRETS:.*"relay"/),
        expect.stringMatching(/^ADMIN_PASSWORD:/),
      ]),
    );
    for (const secret of ['short-sales', 'not-a-whsec', '"pw"']) {
      expect(error.message).not.toContain(secret);
    }
  });

  it('rejects a source given a token twice', () => {
    const error = configErrorOf({
      WEBHOOK_SOURCES: `sales:${SALES_TOKEN},sales:another-token-0123456789`,
    });

    expect(error.problems).toEqual([expect.stringMatching(/^WEBHOOK_SOURCES:.*twice/)]);
  });

  it.each([
    ['whsec_ alone', 'whsec_'],
    ['characters outside base64', 'whsec_!!!!'],
    ['broken padding', 'whsec_abc'],
  ])('rejects a signing secret of %s at load time', (_label, secret) => {
    const error = configErrorOf({ WEBHOOK_SIGNING_SECRETS: `relay:${secret}` });

    expect(error.problems).toEqual([expect.stringMatching(/^WEBHOOK_SIGNING_SECRETS:.*"relay"/)]);
  });

  it('rejects a source name longer than the source column', () => {
    const error = configErrorOf({ WEBHOOK_SOURCES: `${'n'.repeat(101)}:${SALES_TOKEN}` });

    expect(error.problems).toEqual([expect.stringMatching(/^WEBHOOK_SOURCES:.*at most 100/)]);
  });
});
