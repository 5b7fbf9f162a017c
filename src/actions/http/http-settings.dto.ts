import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidationArguments,
  ValidationOptions,
} from 'class-validator';

import { DEFAULT_MAX_RESPONSE_BYTES, HttpMethod } from '../../infra/http/outbound-http';

export const HTTP_METHODS: readonly HttpMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'];
export const BODY_MODES = ['original', 'template'] as const;
export type BodyMode = (typeof BODY_MODES)[number];

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
export const DEFAULT_CONTENT_TYPE = 'application/json';
const MAX_RESPONSE_BYTES_LIMIT = 64 * 1024 * 1024;

// RFC 9110 token characters for a name; a value must not be able to start a second header.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

function isHeaderMap(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.entries(value).every(
      ([name, text]) =>
        HEADER_NAME.test(name) && typeof text === 'string' && HEADER_VALUE.test(text),
    )
  );
}

function IsHeaderMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHeaderMap',
      validator: {
        validate: isHeaderMap,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'headers'} must map header names to string values without line breaks`,
      },
    },
    options,
  );
}

/** Settings of an `http` action: one request per message to a URL the operator chose. */
export class HttpSettings {
  /** Absolute `http://` or `https://` URL the request goes to. */
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  url!: string;

  /** `POST` (default), `PUT`, `PATCH`, `DELETE` or `GET`; a `GET` sends no body. */
  @IsOptional()
  @IsIn(HTTP_METHODS)
  method?: HttpMethod;

  /**
   * Extra request headers, sent exactly as written (not templates). Use
   * `${VAR}` for secrets such as an `Authorization` value. Headers the action
   * sets itself (content type, idempotency, signature) cannot be overridden.
   */
  @IsOptional()
  @IsHeaderMap()
  headers?: Record<string, string>;

  /**
   * `original` sends the message's delivery body byte for byte; `template`
   * sends `bodyTemplate` rendered. Defaults to `template` when
   * `bodyTemplate` is set, else `original`.
   */
  @IsOptional()
  @IsIn(BODY_MODES)
  body?: BodyMode;

  /** Liquid template of the body, with the same variables as every action template. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  bodyTemplate?: string;

  /** Content-Type of the body sent; default `application/json`. */
  @IsOptional()
  @Matches(/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/, {
    message: 'contentType must be a media type like application/json',
  })
  contentType?: string;

  /** Bound on one request, connect to last byte; default 10000. */
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(300_000)
  timeoutMs?: number;

  /** A larger response fails the run permanently; default 1048576 (1 MiB). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_RESPONSE_BYTES_LIMIT)
  maxResponseBytes?: number;

  /**
   * Standard Webhooks secret (`whsec_` + base64). When set, each request
   * carries `webhook-id`, `webhook-timestamp` and `webhook-signature` so the
   * receiver can check it came from this service.
   */
  @IsOptional()
  @Matches(/^whsec_[A-Za-z0-9+/]+={0,2}$/, {
    message: 'signingSecret must be whsec_ followed by a base64 key',
  })
  signingSecret?: string;
}

export const DEFAULT_HTTP_SETTINGS = {
  method: 'POST',
  contentType: DEFAULT_CONTENT_TYPE,
  timeoutMs: DEFAULT_HTTP_TIMEOUT_MS,
  maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
} as const;
