import { Injectable } from '@nestjs/common';

import { Webhook } from 'standardwebhooks';

import { HttpMethod, assertSuccess, sendRequest } from '../../infra/http/outbound-http';
import { ActionHandler, ActionResult, ActionRunContext, PrepareTools } from '../action-handler';
import { CompiledTemplate } from '../template-renderer';
import { BodyMode, DEFAULT_HTTP_SETTINGS, HttpSettings } from './http-settings.dto';

export interface PreparedHttpAction {
  url: string;
  /** `METHOD origin`, for error messages; the path may carry secrets. */
  label: string;
  method: HttpMethod;
  /** Operator headers, names in lower case. */
  headers: Record<string, string>;
  bodyMode: BodyMode;
  bodyTemplate?: CompiledTemplate;
  contentType: string;
  timeoutMs: number;
  maxResponseBytes: number;
  signer?: Webhook;
  allowPrivateNetworks: boolean;
}

const USER_AGENT = 'maiagent-webhook-relay';

/** Set by the action on every request; an operator value would break idempotency or signing. */
const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'transfer-encoding',
  'host',
  'connection',
  'idempotency-key',
  'x-maiagent-message-id',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);

/**
 * `http`: sends each message to a URL, either as received or rendered from a
 * template. Every request carries `Idempotency-Key` (the same on every retry
 * and replay of the run) and `X-MaiAgent-Message-Id`, and, with a signing
 * secret, Standard Webhooks signature headers whose `webhook-id` is that key.
 * Any 2xx succeeds; redirects are not followed and fail permanently.
 */
@Injectable()
export class HttpActionHandler implements ActionHandler<HttpSettings, PreparedHttpAction> {
  readonly type = 'http';
  readonly settingsSchema = HttpSettings;

  prepare(settings: HttpSettings, tools: PrepareTools): PreparedHttpAction {
    const method = settings.method ?? DEFAULT_HTTP_SETTINGS.method;
    const bodyMode =
      settings.body ?? (settings.bodyTemplate === undefined ? 'original' : 'template');

    if (bodyMode === 'template' && settings.bodyTemplate === undefined) {
      tools.problem('bodyTemplate', 'is required when body is "template"');
    }
    if (bodyMode === 'original' && settings.bodyTemplate !== undefined) {
      tools.problem('bodyTemplate', 'is not used when body is "original"; remove one of the two');
    }
    if (method === 'GET' && (settings.body !== undefined || settings.bodyTemplate !== undefined)) {
      tools.problem(
        'method',
        'GET sends no body; remove body and bodyTemplate or pick another method',
      );
    }

    const headers = Object.fromEntries(
      Object.entries(settings.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
    );

    for (const name of Object.keys(headers).filter((header) => RESERVED_HEADERS.has(header))) {
      tools.problem(`headers.${name}`, 'is set by the action and cannot be configured');
    }

    return {
      url: settings.url,
      label: `${method} ${this.origin(settings.url, tools)}`,
      method,
      headers,
      bodyMode,
      bodyTemplate:
        bodyMode === 'template' && settings.bodyTemplate !== undefined
          ? tools.template('bodyTemplate', settings.bodyTemplate)
          : undefined,
      contentType: settings.contentType ?? DEFAULT_HTTP_SETTINGS.contentType,
      timeoutMs: settings.timeoutMs ?? DEFAULT_HTTP_SETTINGS.timeoutMs,
      maxResponseBytes: settings.maxResponseBytes ?? DEFAULT_HTTP_SETTINGS.maxResponseBytes,
      signer: this.signer(settings.signingSecret, tools),
      allowPrivateNetworks: tools.allowPrivateNetworks,
    };
  }

  async execute(prepared: PreparedHttpAction, context: ActionRunContext): Promise<ActionResult> {
    const body = await this.body(prepared, context);
    const response = await sendRequest({
      method: prepared.method,
      url: prepared.url,
      headers: this.headers(prepared, context, body),
      body,
      timeoutMs: prepared.timeoutMs,
      maxResponseBytes: prepared.maxResponseBytes,
      allowPrivateNetworks: prepared.allowPrivateNetworks,
      signal: context.signal,
    });

    assertSuccess(response, prepared.label);

    return { status: response.status };
  }

  private origin(url: string, tools: PrepareTools): string {
    try {
      return new URL(url).origin;
    } catch {
      tools.problem('url', 'is not a URL this service can parse');

      return url;
    }
  }

  private signer(secret: string | undefined, tools: PrepareTools): Webhook | undefined {
    if (secret === undefined) {
      return undefined;
    }
    try {
      return new Webhook(secret);
    } catch (error) {
      tools.problem('signingSecret', `is not a usable key: ${(error as Error).message}`);

      return undefined;
    }
  }

  private async body(
    prepared: PreparedHttpAction,
    context: ActionRunContext,
  ): Promise<Buffer | undefined> {
    if (prepared.method === 'GET') {
      return undefined;
    }
    if (prepared.bodyTemplate) {
      return Buffer.from(await prepared.bodyTemplate.render(context.message), 'utf8');
    }

    return context.message.rawBody;
  }

  private headers(
    prepared: PreparedHttpAction,
    context: ActionRunContext,
    body: Buffer | undefined,
  ): Record<string, string> {
    const headers: Record<string, string> = {
      'user-agent': USER_AGENT,
      ...prepared.headers,
      'idempotency-key': context.idempotencyKey,
      'x-maiagent-message-id': context.message.id,
    };

    if (body !== undefined) {
      headers['content-type'] = prepared.contentType;
    }
    if (prepared.signer) {
      // The timestamp is per attempt, so a receiver's replay window is measured from this send.
      const timestamp = new Date();

      headers['webhook-id'] = context.idempotencyKey;
      headers['webhook-timestamp'] = String(Math.floor(timestamp.getTime() / 1000));
      headers['webhook-signature'] = prepared.signer.sign(
        context.idempotencyKey,
        timestamp,
        body ?? '',
      );
    }

    return headers;
  }
}
