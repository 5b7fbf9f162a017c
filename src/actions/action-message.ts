import { MessageEntity } from '../messages';
import { ActionMessage } from './action-handler';

/** The view of a stored message that routes, templates and handlers see. */
export function toActionMessage(message: MessageEntity): ActionMessage {
  return {
    id: message.messageId,
    conversation: message.conversation,
    type: message.type,
    content: message.content,
    sender: { id: message.senderId, name: message.senderName, avatar: message.senderAvatar },
    source: message.source,
    createdAt: message.messageCreatedAt?.toISOString() ?? null,
    receivedAt: message.receivedAt.toISOString(),
    feedback: message.feedback,
    attachments: message.attachments,
    citations: message.citations,
    rawBody: message.rawBody,
  };
}
