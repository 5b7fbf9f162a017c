export * from './new-message';
export { MessageEntity } from './message.entity';
export type { MessageStatus } from './message.entity';
export { MessageStore } from './message-store.service';
export { MessageEnqueuer } from './message-enqueuer.service';
export { MessagesService } from './messages.service';
export { MessagesModule } from './messages.module';
