import { Type } from '@nestjs/common';

import { ActionHandler } from './action-handler';

/** The action types that ship with the service. */
export const BUILTIN_HANDLERS: Type<ActionHandler>[] = [];
