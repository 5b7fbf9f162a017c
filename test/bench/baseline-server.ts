import { createHash } from 'node:crypto';
import { AddressInfo } from 'node:net';

import { Queue } from 'bullmq';
import Fastify from 'fastify';
import { Pool } from 'pg';

import {
  DispatchJobData,
  JOBS,
  QUEUES,
  dispatchJobId,
} from '../../src/infra/queue/queue.constants';
import { redisOptionsFromUrl } from '../../src/infra/queue/redis-options';
import { TEST_REDIS_URL, databaseUrl } from '../support/test-env';
import { RunningServer } from './bench-server';

/** The same limits as the service's defaults (DATABASE_POOL_SIZE, WEBHOOK_BODY_LIMIT_BYTES). */
const POOL_SIZE = 10;
const BODY_LIMIT_BYTES = 1024 * 1024;

const INSERT_MESSAGE = `
INSERT INTO messages (message_id, source, conversation, type, sender_id, sender_name,
  sender_avatar, content, feedback, attachments, citations, message_created_at, raw_body,
  content_hash, correlation_id)
VALUES ($1, 'default', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (message_id) DO NOTHING`;

interface Payload {
  id?: unknown;
  conversation?: unknown;
  type?: string;
  sender?: { id?: string | number; name?: string; avatar?: string };
  content?: string;
  feedback?: unknown;
  attachments?: unknown[];
  citations?: unknown[];
  created_at?: string;
  createdAt?: string;
}

interface Body {
  raw: Buffer;
  json: Payload;
}

/**
 * The naive receiver the service is measured against: parse, one INSERT ...
 * ON CONFLICT DO NOTHING, one BullMQ add, then 200. Same table (migrated by
 * the benchmark), same row, same job id.
 */
export async function serveBaseline(database: string, queuePrefix: string): Promise<RunningServer> {
  const pool = new Pool({ connectionString: databaseUrl(database), max: POOL_SIZE });
  const queue = new Queue<DispatchJobData>(QUEUES.messages, {
    connection: redisOptionsFromUrl(TEST_REDIS_URL),
    prefix: queuePrefix,
  });
  const server = Fastify({ bodyLimit: BODY_LIMIT_BYTES });

  queue.on('error', () => undefined);
  server.removeContentTypeParser('application/json');
  server.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, raw, done) => {
    try {
      const buffer = raw as Buffer;

      done(null, { raw: buffer, json: JSON.parse(buffer.toString('utf8')) as Payload });
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  server.post<{ Body: Body }>('/maiagent/webhook', async (request, reply) => {
    const { raw, json } = request.body;

    if (typeof json.id !== 'string' || typeof json.conversation !== 'string') {
      return reply.code(400).send({ message: 'id and conversation are required' });
    }

    const createdAt = Number(json.createdAt ?? json.created_at);

    await pool.query(INSERT_MESSAGE, [
      json.id,
      json.conversation,
      json.type ?? null,
      json.sender?.id === undefined ? null : String(json.sender.id),
      json.sender?.name ?? null,
      json.sender?.avatar ?? null,
      json.content ?? null,
      json.feedback === undefined || json.feedback === null ? null : JSON.stringify(json.feedback),
      JSON.stringify(json.attachments ?? []),
      JSON.stringify(json.citations ?? []),
      Number.isFinite(createdAt) ? new Date(createdAt) : null,
      raw,
      createHash('sha256').update(raw).digest('hex'),
      request.id,
    ]);
    await queue.add(
      JOBS.dispatchMessage,
      { messageId: json.id, correlationId: request.id },
      { jobId: dispatchJobId(json.id) },
    );

    return { message: 'Webhook received successfully' };
  });
  await server.listen({ port: 0, host: '127.0.0.1' });

  return {
    port: (server.server.address() as AddressInfo).port,
    close: async () => {
      await server.close();
      await queue.close();
      await pool.end();
    },
  };
}
