import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { FastifyInstance } from 'fastify';

import { ActionQueues } from '../actions';
import { APP_CONFIG, AppConfig } from '../infra/config';
import { QUEUES } from '../infra/queue/queue.constants';
import { isAdminAuthorized } from './basic-auth';

export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * Bull Board over every queue of the service. It has no authentication of
 * its own, so every path under it requires the admin credentials, and
 * answers 401 when none are configured.
 */
@Injectable()
export class QueueBoard {
  constructor(
    @InjectQueue(QUEUES.messages) private readonly messages: Queue,
    private readonly actionQueues: ActionQueues,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async mount(fastify: FastifyInstance): Promise<void> {
    const board = new FastifyAdapter();
    const queues = [
      new BullMQAdapter(this.messages, { displayName: 'Incoming messages (dispatch)' }),
      ...this.actionQueues
        .entries()
        .map(([name, queue]) => new BullMQAdapter(queue, { displayName: `Action: ${name}` })),
      new BullMQAdapter(this.actionQueues.deadLetters, {
        displayName: 'Dead letters',
        readOnlyMode: true,
      }),
    ];

    createBullBoard({
      queues,
      serverAdapter: board,
      options: { uiConfig: { boardTitle: 'MaiAgent relay' } },
    });
    board.setBasePath(QUEUE_BOARD_PATH);

    const admin = this.config.admin;

    await fastify.register(
      async (scope) => {
        scope.addHook('onRequest', async (request, reply) => {
          if (!isAdminAuthorized(request.headers.authorization, admin)) {
            await reply
              .code(401)
              .header('www-authenticate', 'Basic realm="maiagent-relay admin"')
              .send({
                statusCode: 401,
                error: 'Unauthorized',
                message: 'admin credentials required',
              });
          }
        });
        await scope.register(board.registerPlugin());
      },
      { prefix: QUEUE_BOARD_PATH },
    );
  }
}
