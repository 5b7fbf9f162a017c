import { readFileSync } from 'node:fs';

import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { parseDocument } from 'yaml';

import { Environment } from '../infra/config';
import { ActionHandler, PrepareTools } from './action-handler';
import {
  ActionDefinition,
  ActionsConfig,
  DEFAULT_RETRY,
  RetryPolicy,
  RouteConditions,
  RouteDefinition,
} from './actions-config';
import { compileTemplate } from './template-renderer';

/** A configured action, validated and prepared, ready to execute. */
export interface LoadedAction {
  definition: ActionDefinition;
  handler: ActionHandler;
  prepared: unknown;
}

export interface LoadedActions {
  config: ActionsConfig;
  actions: Map<string, LoadedAction>;
}

/** Every problem found in the actions file, each naming the file, the action and the key. */
export class ActionsConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid actions configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ActionsConfigError';
  }
}

const ACTION_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const TOP_LEVEL_KEYS = new Set(['allowPrivateNetworks', 'actions', 'routes']);
const ACTION_KEYS = new Set(['name', 'type', 'settings', 'retry']);
const RETRY_KEYS = new Set([
  'attempts',
  'backoff',
  'delayMs',
  'maxDelayMs',
  'jitter',
  'timeoutMs',
  'concurrency',
  'rateLimit',
]);
const WHEN_KEYS = new Set([
  'type',
  'conversation',
  'senderId',
  'source',
  'contentMatches',
  'hasCitations',
  'hasAttachments',
]);

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads, validates and prepares the actions file. With no file there are no
 * actions and every message is stored as unrouted. Throws ActionsConfigError
 * listing every problem, so an operator fixes the file in one pass.
 */
export function loadActionsConfig(
  file: string | undefined,
  env: Environment,
  handlers: ActionHandler[],
): LoadedActions {
  if (!file) {
    return {
      config: { file: null, allowPrivateNetworks: false, actions: [], routes: [] },
      actions: new Map(),
    };
  }

  const problems: string[] = [];
  const problem = (path: string, text: string) => problems.push(`${file}: ${path}: ${text}`);
  const document = readDocument(file, problem);
  const root = substituteVariables(document, env, '', problem);

  if (!isPlain(root)) {
    problem('(top level)', 'must be a mapping with `actions` and `routes`');
    throw new ActionsConfigError(problems);
  }
  unknownKeys(root, TOP_LEVEL_KEYS, '(top level)', problem);

  const allowPrivateNetworks = root.allowPrivateNetworks ?? false;

  if (typeof allowPrivateNetworks !== 'boolean') {
    problem('allowPrivateNetworks', 'must be true or false');
  }

  const byType = new Map(handlers.map((handler) => [handler.type, handler]));
  const actions = new Map<string, LoadedAction>();

  for (const [index, raw] of asList(root.actions, 'actions', problem).entries()) {
    const loaded = loadAction(raw, index, byType, allowPrivateNetworks === true, actions, problem);

    if (loaded) {
      actions.set(loaded.definition.name, loaded);
    }
  }

  const routes = asList(root.routes, 'routes', problem).flatMap((raw, index) => {
    const route = loadRoute(raw, index, actions, problem);

    return route ? [route] : [];
  });

  if (problems.length > 0) {
    throw new ActionsConfigError(problems);
  }

  return {
    config: {
      file,
      allowPrivateNetworks: allowPrivateNetworks === true,
      actions: [...actions.values()].map((action) => action.definition),
      routes,
    },
    actions,
  };
}

function readDocument(file: string, problem: (path: string, text: string) => void): unknown {
  let text: string;

  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    problem('(file)', `cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    throw new ActionsConfigError([`${file}: (file): cannot be read`]);
  }

  const document = parseDocument(text);

  if (document.errors.length > 0) {
    throw new ActionsConfigError(
      document.errors.map((error) => `${file}: (yaml): ${error.message}`),
    );
  }

  return document.toJS() as unknown;
}

/** Replaces `${NAME}` in every string with the environment variable NAME; secrets stay out of the file. */
function substituteVariables(
  value: unknown,
  env: Environment,
  path: string,
  problem: (path: string, text: string) => void,
): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
      const found = env[name];

      if (found === undefined || found === '') {
        problem(path || '(value)', `environment variable ${name} is not set`);

        return '';
      }

      return found;
    });
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => {
      // Name list entries the way the rest of the messages do: actions[notify-sales], not actions[0].
      const label = isPlain(item) && typeof item.name === 'string' && item.name ? item.name : index;

      return substituteVariables(item, env, `${path}[${label}]`, problem);
    });
  }
  if (isPlain(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        substituteVariables(item, env, path ? `${path}.${key}` : key, problem),
      ]),
    );
  }

  return value;
}

function asList(
  value: unknown,
  path: string,
  problem: (path: string, text: string) => void,
): unknown[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    problem(path, 'must be a list');

    return [];
  }

  return value;
}

function unknownKeys(
  value: Plain,
  known: Set<string>,
  path: string,
  problem: (path: string, text: string) => void,
): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key)) {
      problem(path, `unknown key "${key}" (known: ${[...known].join(', ')})`);
    }
  }
}

function loadAction(
  raw: unknown,
  index: number,
  byType: Map<string, ActionHandler>,
  allowPrivateNetworks: boolean,
  seen: Map<string, LoadedAction>,
  problem: (path: string, text: string) => void,
): LoadedAction | undefined {
  if (!isPlain(raw)) {
    problem(`actions[${index}]`, 'must be a mapping with name, type and settings');

    return undefined;
  }

  const name = typeof raw.name === 'string' ? raw.name : '';
  const path = `actions[${name || index}]`;
  const problemCount = { value: 0 };
  const local = (key: string, text: string) => {
    problemCount.value += 1;
    problem(`${path}.${key}`, text);
  };

  unknownKeys(raw, ACTION_KEYS, path, problem);
  if (!ACTION_NAME.test(name)) {
    local(
      'name',
      'must be 1-63 lower-case letters, digits, - or _, starting with a letter or digit',
    );
  } else if (seen.has(name)) {
    local('name', `"${name}" is declared twice`);
  }

  const handler = typeof raw.type === 'string' ? byType.get(raw.type) : undefined;

  if (!handler) {
    local(
      'type',
      `unknown action type "${String(raw.type)}" (known: ${[...byType.keys()].join(', ')})`,
    );
  }

  const retry = loadRetry(raw.retry, local);

  if (!handler) {
    return undefined;
  }

  const settings = validateSettings(handler, raw.settings ?? {}, local);

  if (!settings || problemCount.value > 0) {
    return undefined;
  }

  const tools: PrepareTools = {
    template: (key, source) => {
      try {
        return compileTemplate(source);
      } catch (error) {
        local(`settings.${key}`, `template does not parse: ${(error as Error).message}`);

        return compileTemplate('');
      }
    },
    problem: (key, text) => local(`settings.${key}`, text),
    allowPrivateNetworks,
  };
  const prepared = handler.prepare(settings, tools);

  if (problemCount.value > 0) {
    return undefined;
  }

  return { definition: { name, type: handler.type, settings, retry }, handler, prepared };
}

function validateSettings(
  handler: ActionHandler,
  raw: unknown,
  local: (key: string, text: string) => void,
): object | undefined {
  if (!isPlain(raw)) {
    local('settings', 'must be a mapping');

    return undefined;
  }

  const settings = plainToInstance(handler.settingsSchema, raw);
  const errors = validateSync(settings, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: false,
  });

  if (errors.length === 0) {
    return settings;
  }
  for (const [key, text] of flatten(errors, 'settings.')) {
    local(key, text);
  }

  return undefined;
}

function flatten(errors: ValidationError[], prefix: string): [string, string][] {
  return errors.flatMap((error) => [
    ...Object.values(error.constraints ?? {}).map((text): [string, string] => [
      `${prefix}${error.property}`,
      text,
    ]),
    ...flatten(error.children ?? [], `${prefix}${error.property}.`),
  ]);
}

function loadRetry(raw: unknown, local: (key: string, text: string) => void): RetryPolicy {
  if (raw === undefined || raw === null) {
    return { ...DEFAULT_RETRY };
  }
  if (!isPlain(raw)) {
    local('retry', 'must be a mapping');

    return { ...DEFAULT_RETRY };
  }
  for (const key of Object.keys(raw)) {
    if (!RETRY_KEYS.has(key)) {
      local('retry', `unknown key "${key}" (known: ${[...RETRY_KEYS].join(', ')})`);
    }
  }

  const integer = (key: keyof RetryPolicy, min: number, max: number): number => {
    const value = raw[key] ?? DEFAULT_RETRY[key];

    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      local(`retry.${key}`, `must be a whole number from ${min} to ${max}`);

      return DEFAULT_RETRY[key] as number;
    }

    return value;
  };
  const backoff = raw.backoff ?? DEFAULT_RETRY.backoff;
  const jitter = raw.jitter ?? DEFAULT_RETRY.jitter;
  const policy: RetryPolicy = {
    attempts: integer('attempts', 1, 100),
    backoff: backoff === 'fixed' ? 'fixed' : 'exponential',
    delayMs: integer('delayMs', 0, 24 * 3600 * 1000),
    maxDelayMs: integer('maxDelayMs', 0, 7 * 24 * 3600 * 1000),
    jitter: typeof jitter === 'number' ? jitter : DEFAULT_RETRY.jitter,
    timeoutMs: integer('timeoutMs', 100, 3600 * 1000),
    concurrency: integer('concurrency', 1, 1000),
  };

  if (backoff !== 'fixed' && backoff !== 'exponential') {
    local('retry.backoff', 'must be "fixed" or "exponential"');
  }
  if (typeof jitter !== 'number' || jitter < 0 || jitter > 1) {
    local('retry.jitter', 'must be a number from 0 to 1');
  }
  if (raw.rateLimit !== undefined) {
    const limit = raw.rateLimit;

    if (
      !isPlain(limit) ||
      !Number.isInteger(limit.max) ||
      (limit.max as number) < 1 ||
      !Number.isInteger(limit.durationMs) ||
      (limit.durationMs as number) < 1
    ) {
      local(
        'retry.rateLimit',
        'must be { max: <whole number ≥ 1>, durationMs: <whole number ≥ 1> }',
      );
    } else {
      policy.rateLimit = { max: limit.max as number, durationMs: limit.durationMs as number };
    }
  }

  return policy;
}

function loadRoute(
  raw: unknown,
  index: number,
  actions: Map<string, LoadedAction>,
  problem: (path: string, text: string) => void,
): RouteDefinition | undefined {
  if (!isPlain(raw)) {
    problem(`routes[${index}]`, 'must be a mapping with name, when and actions');

    return undefined;
  }

  const name = typeof raw.name === 'string' && raw.name ? raw.name : `route-${index + 1}`;
  const path = `routes[${name}]`;
  const before = { count: 0 };
  const local = (key: string, text: string) => {
    before.count += 1;
    problem(`${path}.${key}`, text);
  };

  unknownKeys(raw, new Set(['name', 'when', 'actions']), path, problem);

  const when = loadConditions(raw.when ?? {}, local);
  const names = raw.actions;

  if (
    !Array.isArray(names) ||
    names.length === 0 ||
    names.some((item) => typeof item !== 'string')
  ) {
    local('actions', 'must be a non-empty list of action names');

    return undefined;
  }
  for (const action of names as string[]) {
    if (!actions.has(action)) {
      local('actions', `refers to "${action}", which is not a declared (valid) action`);
    }
  }

  return before.count > 0 ? undefined : { name, when, actions: names as string[] };
}

function loadConditions(raw: unknown, local: (key: string, text: string) => void): RouteConditions {
  if (!isPlain(raw)) {
    local('when', 'must be a mapping of conditions');

    return {};
  }

  const when: RouteConditions = {};
  const list = (key: 'type' | 'conversation' | 'senderId' | 'source') => {
    const value = raw[key];

    if (value === undefined) {
      return;
    }

    const items = Array.isArray(value) ? value : [value];

    if (
      items.length === 0 ||
      items.some((item) => typeof item !== 'string' && typeof item !== 'number')
    ) {
      local(`when.${key}`, 'must be a string or a list of strings');

      return;
    }
    when[key] = items.map(String);
  };

  for (const key of Object.keys(raw)) {
    if (!WHEN_KEYS.has(key)) {
      local('when', `unknown condition "${key}" (known: ${[...WHEN_KEYS].join(', ')})`);
    }
  }
  list('type');
  list('conversation');
  list('senderId');
  list('source');
  if (raw.contentMatches !== undefined) {
    when.contentMatches = compilePattern(raw.contentMatches, local);
  }
  for (const key of ['hasCitations', 'hasAttachments'] as const) {
    if (raw[key] !== undefined) {
      if (typeof raw[key] !== 'boolean') {
        local(`when.${key}`, 'must be true or false');
      } else {
        when[key] = raw[key];
      }
    }
  }

  return when;
}

/** `refund|invoice` or `/refund|invoice/i`; stateful flags (g, y) are refused. */
function compilePattern(
  raw: unknown,
  local: (key: string, text: string) => void,
): RegExp | undefined {
  if (typeof raw !== 'string' || raw === '') {
    local('when.contentMatches', 'must be a regular expression as a string');

    return undefined;
  }

  const literal = /^\/(.*)\/([a-z]*)$/s.exec(raw);
  const [source, flags] = literal ? [literal[1], literal[2]] : [raw, ''];

  if (/[gy]/.test(flags)) {
    local('when.contentMatches', 'flags g and y are not allowed');

    return undefined;
  }
  try {
    return new RegExp(source, flags);
  } catch (error) {
    local('when.contentMatches', `is not a valid regular expression: ${(error as Error).message}`);

    return undefined;
  }
}
