import { DynamicModule, Global, Module } from '@nestjs/common';

import { APP_LOGGER, AppLogger } from './logger';

@Global()
@Module({})
export class LoggingModule {
  static forRoot(logger: AppLogger): DynamicModule {
    return {
      module: LoggingModule,
      providers: [{ provide: APP_LOGGER, useValue: logger }],
      exports: [APP_LOGGER],
    };
  }
}
