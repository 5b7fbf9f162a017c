import { RedisOptions } from 'ioredis';

/** ioredis options from a redis:// or rediss:// URL. */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.replace(/^\//, '');

  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: db ? Number(db) : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    // Reconnect forever with a capped delay: a Redis outage must heal by itself.
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
}

/**
 * Options for connections that only produce jobs. Commands fail at once while
 * Redis is unreachable instead of queueing in memory, so the request path
 * never waits on Redis; the outbox sweeper enqueues what was missed.
 */
export function producerRedisOptions(url: string): RedisOptions {
  return { ...redisOptionsFromUrl(url), enableOfflineQueue: false, maxRetriesPerRequest: 1 };
}
