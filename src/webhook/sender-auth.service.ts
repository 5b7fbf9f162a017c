import { createHash, timingSafeEqual } from 'node:crypto';

import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';

import { APP_CONFIG, AppConfig, WebhookSource } from '../infra/config';
import { APP_LOGGER, AppLogger } from '../infra/logging/logger';

/** The parts of a request that can carry credentials. */
export interface DeliveryCredentials {
  headers: Record<string, string | string[] | undefined>;
  pathToken?: string;
  queryToken?: string;
  rawBody: Buffer;
}

/** Name of the source every delivery is attributed to when no source is configured. */
export const OPEN_SOURCE = 'default';

/**
 * Decides which configured source sent a delivery. MaiAgent signs nothing, so
 * the usual credential is a shared token in a header, the URL path or the
 * query; senders or proxies that sign can use Standard Webhooks signatures.
 */
@Injectable()
export class SenderAuthenticator implements OnModuleInit {
  private readonly tokens: { source: string; digest: Buffer }[];
  private readonly verifiers: { source: string; webhook: Webhook }[];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {
    const sources: WebhookSource[] = config.webhook.sources;

    this.tokens = sources
      .filter((source) => source.token)
      .map((source) => ({ source: source.name, digest: digest(source.token as string) }));
    this.verifiers = sources
      .filter((source) => source.signingSecret)
      .map((source) => ({
        source: source.name,
        webhook: new Webhook(source.signingSecret as string),
      }));
  }

  onModuleInit(): void {
    if (this.isOpen) {
      this.logger.warn(
        {},
        'no webhook secret configured: every request to the webhook is accepted (set WEBHOOK_SECRET or WEBHOOK_SOURCES)',
      );
    }
  }

  get isOpen(): boolean {
    return this.tokens.length === 0 && this.verifiers.length === 0;
  }

  /** The authenticated source's name, or null when the credentials match none. */
  authenticate(credentials: DeliveryCredentials): string | null {
    if (this.isOpen) {
      return OPEN_SOURCE;
    }

    // Every place a token can be is tried, so a stray header cannot hide a valid URL token.
    for (const presented of this.presentedTokens(credentials)) {
      const presentedDigest = digest(presented);
      let match: string | null = null;

      // Compare with every token so the time taken does not reveal which matched.
      for (const { source, digest: expected } of this.tokens) {
        if (timingSafeEqual(presentedDigest, expected) && match === null) {
          match = source;
        }
      }
      if (match !== null) {
        return match;
      }
    }

    return this.verifySignature(credentials);
  }

  private presentedTokens({ headers, pathToken, queryToken }: DeliveryCredentials): string[] {
    const header = headers[this.config.webhook.tokenHeader];
    const authorization = headers.authorization;
    // The auth scheme is case-insensitive (RFC 9110), so "bearer" counts too.
    const bearer = typeof authorization === 'string' ? /^bearer +(.+)$/i.exec(authorization) : null;

    return [
      typeof header === 'string' ? header : undefined,
      bearer?.[1],
      pathToken,
      queryToken,
    ].filter((token): token is string => token !== undefined && token !== '');
  }

  private verifySignature({ headers, rawBody }: DeliveryCredentials): string | null {
    const signed = {
      'webhook-id': headers['webhook-id'],
      'webhook-timestamp': headers['webhook-timestamp'],
      'webhook-signature': headers['webhook-signature'],
    };

    if (Object.values(signed).some((value) => typeof value !== 'string')) {
      return null;
    }
    for (const { source, webhook } of this.verifiers) {
      try {
        webhook.verify(rawBody, signed as Record<string, string>, { jsonParse: false });

        return source;
      } catch {
        // Not this source's signature (or too old); try the next one.
      }
    }

    return null;
  }
}

/** Fixed-length digests make the constant-time comparison independent of token length. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
