import { Type } from '@nestjs/common';

import { ActionHandler } from './action-handler';
import { CrmActionHandler } from './crm/crm-action.handler';
import { EmailActionHandler } from './email/email-action.handler';
import { HttpActionHandler } from './http/http-action.handler';

/** The action types that ship with the service. */
export const BUILTIN_HANDLERS: Type<ActionHandler>[] = [
  EmailActionHandler,
  CrmActionHandler,
  HttpActionHandler,
];
