import { DynamicModule, Module, Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { MessagesModule } from '../messages';
import { PLUGIN_HANDLERS } from '../plugins';
import { ACTION_HANDLERS } from './action-handler';
import { ActionQueues } from './action-queues.service';
import { ActionRegistry } from './action-registry.service';
import { ActionRunEntity } from './action-run.entity';
import { ActionRunsService } from './action-runs.service';
import { ActionWorkers } from './action-workers.service';
import { BUILTIN_HANDLERS } from './builtin-handlers';

export interface ActionsModuleOptions {
  /** Start the per-action workers (worker role). */
  isRunningWorkers: boolean;
}

/** Configured actions, their run records and queues, and (worker role) their workers. */
@Module({})
export class ActionsModule {
  static register({ isRunningWorkers }: ActionsModuleOptions): DynamicModule {
    const handlers = [...BUILTIN_HANDLERS, ...PLUGIN_HANDLERS];
    const collected: Provider = {
      provide: ACTION_HANDLERS,
      useFactory: (...instances: unknown[]) => instances,
      inject: handlers,
    };

    return {
      module: ActionsModule,
      global: true,
      imports: [MessagesModule, TypeOrmModule.forFeature([ActionRunEntity])],
      providers: [
        ...handlers,
        collected,
        ActionRegistry,
        ActionRunsService,
        ActionQueues,
        ...(isRunningWorkers ? [ActionWorkers] : []),
      ],
      exports: [ActionRegistry, ActionRunsService, ActionQueues],
    };
  }
}
