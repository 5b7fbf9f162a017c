import { Type } from '@nestjs/common';

import { ActionHandler } from '../actions/action-handler';
import { ChatNotifyHandler } from './chat-notify/chat-notify.handler';

/**
 * Action types added by teams. Write a class implementing `ActionHandler`
 * (see `src/actions/action-handler.ts`), decorate it with `@Injectable()`,
 * and list it here; the actions file can then use its `type`.
 */
export const PLUGIN_HANDLERS: Type<ActionHandler>[] = [ChatNotifyHandler];
