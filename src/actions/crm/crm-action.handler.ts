import { Injectable } from '@nestjs/common';

import { ActionError } from '../action-error';
import {
  ActionHandler,
  ActionMessage,
  ActionResult,
  ActionRunContext,
  PrepareTools,
} from '../action-handler';
import { CompiledTemplate } from '../template-renderer';
import { CrmIdentity, CrmProvider } from './crm-provider';
import { CRM_PROVIDERS } from './crm-providers';
import { CrmSettings, DEFAULT_CRM_SETTINGS, IdentifyBy } from './crm-settings.dto';

export interface PreparedCrmAction {
  provider: CrmProvider;
  identifyBy: IdentifyBy;
  noteTemplate: CompiledTemplate;
}

/**
 * `crm`: finds or creates the contact a message is about and adds the
 * rendered message to it as a note, through the provider named in
 * `settings.provider` (see `crm-providers.ts`). A retried run reuses the
 * contact and the note the earlier attempt made.
 */
@Injectable()
export class CrmActionHandler implements ActionHandler<CrmSettings, PreparedCrmAction> {
  readonly type = 'crm';
  readonly settingsSchema = CrmSettings;

  prepare(settings: CrmSettings, tools: PrepareTools): PreparedCrmAction {
    const definition = CRM_PROVIDERS[settings.provider];
    const provider = definition.create({
      baseUrl: settings.baseUrl ?? definition.defaultBaseUrl,
      accessToken: settings.accessToken,
      contactProperty: settings.contactProperty ?? DEFAULT_CRM_SETTINGS.contactProperty,
      noteKeyProperty: settings.noteKeyProperty ?? DEFAULT_CRM_SETTINGS.noteKeyProperty,
      timeoutMs: settings.timeoutMs ?? DEFAULT_CRM_SETTINGS.timeoutMs,
      allowPrivateNetworks: tools.allowPrivateNetworks,
    });

    return {
      provider,
      identifyBy: settings.identifyBy ?? DEFAULT_CRM_SETTINGS.identifyBy,
      noteTemplate: tools.template(
        'noteTemplate',
        settings.noteTemplate ?? DEFAULT_CRM_SETTINGS.noteTemplate,
      ),
    };
  }

  async execute(prepared: PreparedCrmAction, context: ActionRunContext): Promise<ActionResult> {
    const { message, signal } = context;
    const identity = this.identity(message, prepared.identifyBy);
    const text = await prepared.noteTemplate.render(message);

    const contactId = await prepared.provider.findOrCreateContact(identity, signal);
    const noteId = await prepared.provider.addNote(
      contactId,
      {
        text,
        timestamp: new Date(message.createdAt ?? message.receivedAt),
        idempotencyKey: context.idempotencyKey,
      },
      signal,
    );

    return { detail: `note ${noteId} on contact ${contactId}` };
  }

  private identity(message: ActionMessage, identifyBy: IdentifyBy): CrmIdentity {
    const value = identifyBy === 'sender' ? message.sender.id : message.conversation;

    if (!value) {
      // The message will never gain a sender id, so retrying cannot help.
      throw ActionError.permanent(
        'crm_no_identity',
        `message ${message.id} has no ${identifyBy === 'sender' ? 'sender id' : 'conversation'} to find the contact by`,
      );
    }

    return { value, name: message.sender.name };
  }
}
