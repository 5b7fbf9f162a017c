import { Liquid, Template } from 'liquidjs';

import { ActionError } from './action-error';
import { ActionMessage } from './action-handler';

/** A template parsed at start-up, rendered per run. */
export interface CompiledTemplate {
  render(message: ActionMessage): Promise<string>;
}

/**
 * Liquid templates: operator-written, so no code execution, and bounded
 * rendering so a bad template cannot stall a worker.
 */
const engine = new Liquid({
  strictFilters: true,
  strictVariables: false,
  ownPropertyOnly: true,
  parseLimit: 100_000,
  renderLimit: 1_000,
  memoryLimit: 10_000_000,
});

/** Parses `source`; throws with the parser's explanation when it is invalid. */
export function compileTemplate(source: string): CompiledTemplate {
  const parsed: Template[] = engine.parse(source);

  return {
    async render(message: ActionMessage): Promise<string> {
      try {
        return String(await engine.render(parsed, templateScope(message)));
      } catch (error) {
        throw ActionError.permanent(
          'template_error',
          `template failed to render: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    },
  };
}

/** Variables a template can use: `message.*` plus short names for the common ones. */
function templateScope(message: ActionMessage): Record<string, unknown> {
  const { rawBody, ...visible } = message;

  return {
    message: { ...visible, raw: rawBody.toString('utf8') },
    content: message.content,
    conversation: message.conversation,
    sender: message.sender,
    citations: message.citations,
    attachments: message.attachments,
  };
}
