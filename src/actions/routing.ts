import { ActionMessage } from './action-handler';
import { RouteConditions, RouteDefinition } from './actions-config';

function isAnyOf(allowed: string[] | undefined, value: string | null): boolean {
  return allowed === undefined || (value !== null && allowed.includes(value));
}

function matches(when: RouteConditions, message: ActionMessage): boolean {
  return (
    isAnyOf(when.type, message.type) &&
    isAnyOf(when.conversation, message.conversation) &&
    isAnyOf(when.senderId, message.sender.id) &&
    isAnyOf(when.source, message.source) &&
    (when.contentMatches === undefined || when.contentMatches.test(message.content ?? '')) &&
    (when.hasCitations === undefined || when.hasCitations === message.citations.length > 0) &&
    (when.hasAttachments === undefined || when.hasAttachments === message.attachments.length > 0)
  );
}

/** Names of the actions every matching route asks for, each once, in configuration order. */
export function selectActions(routes: RouteDefinition[], message: ActionMessage): string[] {
  const selected = new Set<string>();

  for (const route of routes) {
    if (matches(route.when, message)) {
      route.actions.forEach((name) => selected.add(name));
    }
  }

  return [...selected];
}
