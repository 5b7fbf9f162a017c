import { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';

import { Agent, Dispatcher, buildConnector, request } from 'undici';

import { ActionError } from '../../actions/action-error';
import { createGuardedLookup, isBlockedAddress, ssrfBlocked } from './address-guard';
import { RETRYABLE_SOCKET_ERRORS, isRetryableStatus, parseRetryAfter } from './retry-policy';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

export interface OutboundRequest {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Bound on the whole exchange: connect, headers and reading the body. */
  timeoutMs: number;
  /** Larger responses fail with `response_too_large`. Default 1 MiB. */
  maxResponseBytes?: number;
  /** Lets the call reach loopback, private and link-local addresses. */
  allowPrivateNetworks: boolean;
  /** The run's own signal; aborting it ends the call like a timeout. */
  signal?: AbortSignal;
}

export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const CONNECT_TIMEOUT_MS = 10_000;
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
// A request the client refused to build will be refused the same way on every attempt.
const INVALID_REQUEST_CODES = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_NOT_SUPPORTED',
  'ERR_INVALID_URL',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_INVALID_CHAR',
]);
// A certificate that fails verification now will fail again until someone changes it.
const TLS_CODES = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);
const ERROR_BODY_EXCERPT_CHARS = 200;

/** One agent (connection pool) per network policy, shared by every action. */
const agents = new Map<boolean, Agent>();

function agentFor(allowPrivateNetworks: boolean): Agent {
  let agent = agents.get(allowPrivateNetworks);

  if (!agent) {
    agent = allowPrivateNetworks
      ? new Agent({ connect: { timeout: CONNECT_TIMEOUT_MS } })
      : new Agent({ connect: guardedConnector() });
    agents.set(allowPrivateNetworks, agent);
  }

  return agent;
}

/**
 * Checks addresses at connect time: literal IPs here, before any socket
 * exists (they skip DNS), resolved names inside the socket's own lookup.
 */
function guardedConnector(): buildConnector.connector {
  const connect = buildConnector({ timeout: CONNECT_TIMEOUT_MS, lookup: createGuardedLookup() });

  return (options, callback) => {
    if (isIP(options.hostname) !== 0 && isBlockedAddress(options.hostname)) {
      callback(ssrfBlocked(options.hostname, options.hostname), null);

      return;
    }
    connect(options, callback);
  };
}

/** Closes the shared connection pools; call once at shutdown. */
export async function closeOutboundHttp(): Promise<void> {
  const open = [...agents.values()];

  agents.clear();
  await Promise.all(open.map((agent) => agent.close()));
}

/**
 * Sends one request and reads the whole response. Redirects are never
 * followed: a 3xx comes back as is. Transport failures throw a classified
 * `ActionError`; any status, including 4xx and 5xx, is returned (see
 * `assertSuccess`).
 */
export async function sendRequest(options: OutboundRequest): Promise<OutboundResponse> {
  const url = parseUrl(options.url);
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;

  try {
    const response = await request(url, {
      dispatcher: agentFor(options.allowPrivateNetworks),
      method: options.method,
      headers: options.headers,
      body: options.body,
      signal,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    const body = await readCapped(response.body, response.headers, maxBytes);

    return { status: response.statusCode, headers: response.headers, body };
  } catch (error) {
    if (timeout.aborted || options.signal?.aborted) {
      const reason = timeout.aborted
        ? `did not finish within ${options.timeoutMs} ms`
        : 'was aborted when the run ran out of time';

      throw ActionError.retryable('timeout', `${options.method} ${url.origin} ${reason}`, {
        cause: error,
      });
    }
    throw toActionError(error);
  }
}

/** Returns a 2xx response; throws the classified `ActionError` for any other status. */
export function assertSuccess(response: OutboundResponse, what = 'downstream'): OutboundResponse {
  if (response.status >= 200 && response.status < 300) {
    return response;
  }
  throw statusError(response, what);
}

/**
 * The retry decision for a non-2xx response: retryable statuses carry the
 * downstream's `Retry-After`; redirects and every other status are permanent.
 */
export function statusError(response: OutboundResponse, what = 'downstream'): ActionError {
  const { status, headers } = response;
  const code = `http_${status}`;

  if (status >= 300 && status < 400) {
    return ActionError.permanent(
      code,
      `${what} answered ${status} (redirect to ${String(headers.location ?? 'nowhere')}); redirects are not followed`,
      { status },
    );
  }

  const message = `${what} answered ${status}${excerpt(response.body)}`;

  if (isRetryableStatus(status)) {
    return ActionError.retryable(code, message, {
      status,
      retryAfterMs: parseRetryAfter(headers['retry-after']),
    });
  }

  return ActionError.permanent(code, message, { status });
}

/**
 * Classifies a failure that happened before a status arrived: socket errors
 * and timeouts are retryable, a request the client cannot build or a
 * certificate that fails verification is permanent, and anything unknown is
 * retryable, as the action contract says.
 */
export function toActionError(error: unknown): ActionError {
  if (error instanceof ActionError) {
    return error;
  }

  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);

  if (code && TIMEOUT_CODES.has(code)) {
    return ActionError.retryable('timeout', `timed out (${code}): ${message}`, { cause: error });
  }
  if (code && RETRYABLE_SOCKET_ERRORS.has(code)) {
    return ActionError.retryable('network_error', `network error (${code}): ${message}`, {
      cause: error,
    });
  }
  if (code && INVALID_REQUEST_CODES.has(code)) {
    return ActionError.permanent('invalid_request', `request rejected: ${message}`, {
      cause: error,
    });
  }
  if (code && TLS_CODES.has(code)) {
    return ActionError.permanent('tls_error', `TLS verification failed (${code}): ${message}`, {
      cause: error,
    });
  }

  return ActionError.retryable('network_error', `request failed: ${message}`, { cause: error });
}

function parseUrl(value: string): URL {
  let url: URL;

  try {
    url = new URL(value);
  } catch (error) {
    throw ActionError.permanent('invalid_request', `not a valid URL: ${value}`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw ActionError.permanent('invalid_request', `unsupported URL scheme ${url.protocol}`);
  }

  return url;
}

async function readCapped(
  body: Dispatcher.ResponseData['body'],
  headers: IncomingHttpHeaders,
  maxBytes: number,
): Promise<Buffer> {
  const declared = Number(headers['content-length']);

  // Refuse early when the length is announced; otherwise count while reading.
  if (Number.isFinite(declared) && declared > maxBytes) {
    discard(body);
    throw tooLarge(maxBytes);
  }

  const chunks: Buffer[] = [];
  let total = 0;

  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      discard(body);
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk);
  }

  return Buffer.concat(chunks, total);
}

/** Drops the rest of a body; the abort error it raises is expected and not worth an event. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

function tooLarge(maxBytes: number): ActionError {
  return ActionError.permanent(
    'response_too_large',
    `response body is larger than the ${maxBytes}-byte limit`,
  );
}

/** Node reports a failed multi-address connect as an AggregateError; its parts carry the code. */
function errorCode(error: unknown): string | undefined {
  if (error instanceof AggregateError) {
    return errorCode(error.errors[0]) ?? codeOf(error);
  }

  return codeOf(error);
}

function codeOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    return typeof error.code === 'string' ? error.code : undefined;
  }

  return undefined;
}

function excerpt(body: Buffer): string {
  if (body.length === 0) {
    return '';
  }

  const text = body.toString('utf8', 0, Math.min(body.length, ERROR_BODY_EXCERPT_CHARS * 4));

  return `: ${text.slice(0, ERROR_BODY_EXCERPT_CHARS)}`;
}
