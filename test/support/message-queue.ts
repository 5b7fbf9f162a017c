import { Queue } from 'bullmq';

import { QUEUES, dispatchJobId } from '../../src/infra/queue/queue.constants';
import { redisOptionsFromUrl } from '../../src/infra/queue/redis-options';
import { TestApp } from './test-app';

/** A second handle on the app's message queue, for counting and removing jobs. Close it after. */
export function openMessagesQueue(service: TestApp): Queue {
  const queue = new Queue(QUEUES.messages, {
    connection: redisOptionsFromUrl(service.config.redis.url),
    prefix: service.config.redis.queuePrefix,
  });

  // A test that stops Redis must not die of an unhandled connection error.
  queue.on('error', () => undefined);

  return queue;
}

/** Every job of the queue, whatever its state. */
export function countJobs(queue: Queue): Promise<number> {
  return queue.getJobCountByTypes();
}

export { dispatchJobId };
