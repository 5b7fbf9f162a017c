import 'reflect-metadata';

import {
  IsBooleanString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { Type } from 'class-transformer';

const NAME_SECRET_LIST = /^\s*[A-Za-z0-9_.-]+:[^,]+(\s*,\s*[A-Za-z0-9_.-]+:[^,]+)*\s*$/;

/**
 * Every environment variable the service reads, with its default. `.env.example`
 * and the README's settings table list the same keys.
 */
export class EnvironmentSchema {
  @IsOptional() @IsString() NODE_ENV = 'development';
  @IsOptional() @IsString() HOST = '0.0.0.0';
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) PORT = 3000;
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL = 'info';

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/maiagent';
  @Type(() => Number) @IsInt() @Min(1) @Max(200) DATABASE_POOL_SIZE = 10;
  @Type(() => Number) @IsInt() @Min(50) DATABASE_CONNECT_TIMEOUT_MS = 1000;
  @Type(() => Number) @IsInt() @Min(50) DATABASE_QUERY_TIMEOUT_MS = 1500;
  @IsBooleanString() DATABASE_AUTO_CREATE = 'true';
  @IsBooleanString() MIGRATIONS_RUN = 'true';

  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'QUEUE_PREFIX may hold letters, digits, _ and -' })
  QUEUE_PREFIX = 'maiagent';

  @Type(() => Number) @IsInt() @Min(1024) WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;
  @IsIn(['quarantine', 'reject']) WEBHOOK_INVALID_PAYLOAD = 'quarantine';
  @Matches(/^[a-z0-9-]+$/, { message: 'WEBHOOK_TOKEN_HEADER must be a lower-case header name' })
  WEBHOOK_TOKEN_HEADER = 'x-webhook-token';
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'WEBHOOK_SECRET must be at least 16 characters' })
  WEBHOOK_SECRET?: string = undefined;
  @IsOptional()
  @Matches(NAME_SECRET_LIST, { message: 'WEBHOOK_SOURCES must look like name:token,name2:token2' })
  WEBHOOK_SOURCES?: string = undefined;
  @IsOptional()
  @Matches(NAME_SECRET_LIST, {
    message: 'WEBHOOK_SIGNING_SECRETS must look like name:whsec_...,name2:whsec_...',
  })
  WEBHOOK_SIGNING_SECRETS?: string = undefined;
  @Type(() => Number) @IsInt() @Min(1) @Max(5000) WEBHOOK_MAX_BATCH = 500;

  @Type(() => Number) @IsInt() @Min(100) OUTBOX_SWEEP_INTERVAL_MS = 5000;
  @Type(() => Number) @IsInt() @Min(0) OUTBOX_SWEEP_GRACE_MS = 10000;
  @Type(() => Number) @IsInt() @Min(50) OUTBOX_ENQUEUE_TIMEOUT_MS = 2000;

  @Type(() => Number) @IsInt() @Min(0) OUTBOX_STALE_MS = 300000;

  @Type(() => Number) @IsInt() @Min(1) @Max(1000) WORKER_MESSAGE_CONCURRENCY = 20;
  @Type(() => Number) @IsInt() @Min(500) WORKER_LOCK_DURATION_MS = 30000;

  @IsOptional() @IsString() ADMIN_USERNAME?: string = undefined;
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'ADMIN_PASSWORD must be at least 8 characters' })
  ADMIN_PASSWORD?: string = undefined;

  @IsOptional() @IsString() ACTIONS_FILE?: string = undefined;
}
