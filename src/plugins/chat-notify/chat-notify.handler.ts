import { Injectable } from '@nestjs/common';

import {
  ActionHandler,
  ActionResult,
  ActionRunContext,
  PrepareTools,
} from '../../actions/action-handler';
import { CompiledTemplate } from '../../actions/template-renderer';
import { assertSuccess, sendRequest } from '../../infra/http/outbound-http';
import { ChatNotifySettings } from './chat-notify-settings.dto';

interface PreparedChatNotify {
  url: string;
  text: CompiledTemplate;
  timeoutMs: number;
  allowPrivateNetworks: boolean;
}

/**
 * Example of a team's own action type: posts the reply to a chat channel's
 * incoming webhook as `{"text": ...}`. It is registered in `src/plugins/index.ts`
 * and gets the same validation, retries and dead letters as the built-in types.
 */
@Injectable()
export class ChatNotifyHandler implements ActionHandler<ChatNotifySettings, PreparedChatNotify> {
  readonly type = 'chat-notify';
  readonly settingsSchema = ChatNotifySettings;

  prepare(settings: ChatNotifySettings, tools: PrepareTools): PreparedChatNotify {
    return {
      url: settings.url,
      text: tools.template('text', settings.text),
      timeoutMs: settings.timeoutMs,
      allowPrivateNetworks: tools.allowPrivateNetworks,
    };
  }

  async execute(prepared: PreparedChatNotify, context: ActionRunContext): Promise<ActionResult> {
    const text = await prepared.text.render(context.message);
    const response = await sendRequest({
      method: 'POST',
      url: prepared.url,
      headers: { 'content-type': 'application/json', 'idempotency-key': context.idempotencyKey },
      body: JSON.stringify({ text }),
      timeoutMs: prepared.timeoutMs,
      allowPrivateNetworks: prepared.allowPrivateNetworks,
      signal: context.signal,
    });

    assertSuccess(response, 'chat webhook');

    return { status: response.status };
  }
}
