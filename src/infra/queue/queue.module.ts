import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '../config';
import { redisOptionsFromUrl } from './redis-options';

/** The BullMQ root: one Redis connection setting and key prefix for every queue. */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        connection: redisOptionsFromUrl(config.redis.url),
        prefix: config.redis.queuePrefix,
      }),
    }),
  ],
  exports: [BullModule],
})
export class QueueModule {}
