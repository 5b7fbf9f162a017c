import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '../infra/config';
import { closeOutboundHttp } from '../infra/http/outbound-http';
import { APP_LOGGER, AppLogger } from '../infra/logging/logger';
import { ACTION_HANDLERS, ActionHandler, ActionMessage } from './action-handler';
import { ActionsConfig } from './actions-config';
import { LoadedAction, loadActionsConfig } from './load-actions-config';
import { selectActions } from './routing';

/**
 * The configured actions and routes, loaded once at start-up. A bad actions
 * file, or an action whose type has no registered handler, stops start-up
 * with every problem listed.
 */
@Injectable()
export class ActionRegistry implements OnModuleDestroy {
  readonly config: ActionsConfig;
  private readonly actions: Map<string, LoadedAction>;

  constructor(
    @Inject(ACTION_HANDLERS) handlers: ActionHandler[],
    @Inject(APP_CONFIG) appConfig: AppConfig,
    @Inject(APP_LOGGER) logger: AppLogger,
  ) {
    const loaded = loadActionsConfig(appConfig.actionsFile, appConfig.variables, handlers);

    this.config = loaded.config;
    this.actions = loaded.actions;
    if (!appConfig.actionsFile) {
      logger.warn({}, 'no ACTIONS_FILE configured: messages are stored and marked unrouted');
    }
  }

  get names(): string[] {
    return [...this.actions.keys()];
  }

  find(name: string): LoadedAction | undefined {
    return this.actions.get(name);
  }

  /** The actions that should run for a message, per the routes. */
  route(message: ActionMessage): LoadedAction[] {
    return selectActions(this.config.routes, message).map(
      (name) => this.actions.get(name) as LoadedAction,
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled(
      [...this.actions.values()].map(async (action) => action.handler.dispose?.(action.prepared)),
    );
    // The outbound connection pools are shared by every HTTP-based action.
    await closeOutboundHttp();
  }
}
