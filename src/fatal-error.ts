import { ActionsConfigError } from './actions';
import { ConfigError } from './infra/config';

/**
 * What a command prints when it cannot start. Configuration errors are the
 * operator's to fix and already list every problem, so they print without a stack.
 */
export function describeFatalError(error: unknown): string {
  if (error instanceof ConfigError || error instanceof ActionsConfigError) {
    return error.message;
  }

  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
