import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

export type AppLogger = Logger;

/** Injection token for the root pino logger. */
export const APP_LOGGER = Symbol('APP_LOGGER');

/**
 * Structured JSON logs. Secrets that could reach a log line through a
 * context object are redacted by path.
 */
export function createLogger(level: string): AppLogger {
  return pino({
    level,
    base: { service: 'maiagent-webhook-relay' },
    redact: {
      paths: [
        'password',
        'token',
        'secret',
        '*.password',
        '*.token',
        '*.secret',
        'headers.authorization',
      ],
      censor: '[redacted]',
    },
  });
}

/** Routes NestJS's own log lines into pino. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: AppLogger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }

  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }

  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }

  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }

  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
