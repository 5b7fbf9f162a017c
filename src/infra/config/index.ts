export * from './app-config';
export { ConfigError, loadConfig, processEnvironment } from './load-config';
export type { Environment } from './load-config';
export { ConfigModule } from './config.module';
