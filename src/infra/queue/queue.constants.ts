/** Every queue of the service, and the job names on them. */
export const QUEUES = {
  /** One job per stored message: turn it into action runs. */
  messages: 'messages',
  /** Runs that exhausted their attempts or failed permanently, for operators to see and replay. */
  deadLetters: 'dead-letters',
} as const;

export const JOBS = {
  dispatchMessage: 'dispatch-message',
  runAction: 'run-action',
  deadLetter: 'dead-letter',
} as const;

/** Queue of one configured action; each action has its own retry and concurrency settings. */
export function actionQueueName(actionName: string): string {
  return `action-${actionName}`;
}

export interface DispatchJobData {
  messageId: string;
  correlationId: string | null;
}

/**
 * BullMQ job id of a message's dispatch job. Derived from the message id so
 * that enqueueing twice is a no-op; base64url because BullMQ rejects ids with
 * `:` and ids that look like integers.
 */
export function dispatchJobId(messageId: string): string {
  return `msg_${Buffer.from(messageId).toString('base64url')}`;
}
