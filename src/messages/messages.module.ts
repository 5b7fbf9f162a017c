import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { APP_CONFIG, AppConfig } from '../infra/config';
import { QUEUES } from '../infra/queue/queue.constants';
import { producerRedisOptions } from '../infra/queue/redis-options';
import { MessageConflictEntity } from './message-conflict.entity';
import { MessageEnqueuer } from './message-enqueuer.service';
import { MessageStore } from './message-store.service';
import { MessageEntity } from './message.entity';
import { MessagesService } from './messages.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([MessageEntity, MessageConflictEntity]),
    BullModule.registerQueueAsync({
      name: QUEUES.messages,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        connection: producerRedisOptions(config.redis.url),
        defaultJobOptions: {
          attempts: 10,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: { age: 24 * 3600, count: 10_000 },
          removeOnFail: { count: 10_000 },
        },
      }),
    }),
  ],
  providers: [MessageStore, MessageEnqueuer, MessagesService],
  exports: [MessageStore, MessageEnqueuer, MessagesService, BullModule],
})
export class MessagesModule {}
