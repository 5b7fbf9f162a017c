import { Module } from '@nestjs/common';

import { MessagesModule } from '../messages';
import { MessageDispatcher } from './message-dispatcher.service';
import { OutboxSweeper } from './outbox-sweeper.service';

/** Worker role: consumes stored messages and keeps the outbox drained. */
@Module({
  imports: [MessagesModule],
  providers: [MessageDispatcher, OutboxSweeper],
  exports: [MessageDispatcher, OutboxSweeper],
})
export class DispatchModule {}
