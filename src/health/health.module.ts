import { Module } from '@nestjs/common';

import { MessagesModule } from '../messages';
import { HealthController } from './health.controller';

@Module({
  imports: [MessagesModule],
  controllers: [HealthController],
})
export class HealthModule {}
