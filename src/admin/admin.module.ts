import { Module } from '@nestjs/common';

import { DeadLettersModule } from '../dead-letters/dead-letters.module';
import { MessagesModule } from '../messages';
import { WebhookModule } from '../webhook/webhook.module';
import { AdminController } from './admin.controller';
import { AdminGuard } from './admin.guard';
import { QueueBoard } from './queue-board.service';

/** Operators' side of the API role: Bull Board and the admin API, both behind credentials. */
@Module({
  imports: [MessagesModule, WebhookModule, DeadLettersModule],
  controllers: [AdminController],
  providers: [AdminGuard, QueueBoard],
  exports: [QueueBoard],
})
export class AdminModule {}
