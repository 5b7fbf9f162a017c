import { ActionRunEntity } from '../../actions/action-run.entity';
import { MessageConflictEntity } from '../../messages/message-conflict.entity';
import { MessageEntity } from '../../messages/message.entity';
import { QuarantinedDeliveryEntity } from '../../webhook/quarantined-delivery.entity';

/** Every entity of the schema; the migrations are generated from this list. */
export const ENTITIES = [
  MessageEntity,
  MessageConflictEntity,
  QuarantinedDeliveryEntity,
  ActionRunEntity,
];
