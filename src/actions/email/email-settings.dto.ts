import {
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateBy,
  ValidationArguments,
  ValidationOptions,
} from 'class-validator';

/** Timeout for connecting, the greeting and each SMTP reply, when `timeoutMs` is not set. */
export const DEFAULT_EMAIL_TIMEOUT_MS = 10_000;

// Deliberately loose: one `local@domain` with no spaces or brackets, optionally behind a
// display name. The SMTP server is the authority on what it accepts.
const BARE_ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;
const NAMED_ADDRESS = /^(?:"[^"]*"\s*|[^<>"]*)<([^\s@<>,;"]+@[^\s@<>,;"]+)>$/;
const ADDRESS_EXAMPLE = 'ops@example.com or "Ops" <ops@example.com>';

/** Whether `value` is one address, bare or with a display name. */
export function isMailAddress(value: unknown): value is string {
  if (typeof value !== 'string') {
    return false;
  }

  const trimmed = value.trim();

  return BARE_ADDRESS.test(trimmed) || NAMED_ADDRESS.test(trimmed);
}

/** The `local@domain` part of an address that passed `isMailAddress`. */
export function bareAddress(value: string): string {
  const trimmed = value.trim();

  return NAMED_ADDRESS.exec(trimmed)?.[1] ?? trimmed;
}

function IsMailAddress(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMailAddress',
      validator: {
        validate: (value: unknown) => isMailAddress(value),
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property} must be one address like ${ADDRESS_EXAMPLE}`,
      },
    },
    options,
  );
}

/** One address or a non-empty list; the message names the first bad entry. */
function IsMailAddressList(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMailAddressList',
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value)
            ? value.length > 0 && value.every(isMailAddress)
            : isMailAddress(value),
        defaultMessage: (args?: ValidationArguments) => {
          const property = args?.property ?? 'value';
          const value: unknown = args?.value;

          if (!Array.isArray(value)) {
            return `${property} must be an address like ${ADDRESS_EXAMPLE}, or a list of them`;
          }
          if (value.length === 0) {
            return `${property} must list at least one address`;
          }

          const bad = value.findIndex((entry) => !isMailAddress(entry));

          return `${property}[${bad}] must be one address like ${ADDRESS_EXAMPLE}`;
        },
      },
    },
    options,
  );
}

/** Checks the scheme and host only; the URL is a secret, so no message repeats it. */
function IsSmtpUrl(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSmtpUrl',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || !URL.canParse(value)) {
            return false;
          }

          const url = new URL(value);

          return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
        },
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property} must be an smtp:// or smtps:// URL with a host, ` +
          'e.g. smtps://user:password@mail.example.com:465',
      },
    },
    options,
  );
}

/**
 * Settings of an `email` action: one mail per message, rendered from Liquid
 * templates over the message (`content`, `sender`, `citations`, `message.*`).
 */
export class EmailSettings {
  /**
   * SMTP server: `smtps://` speaks TLS from the start (port 465 by default);
   * `smtp://` (port 587 by default) upgrades with STARTTLS when the server offers
   * it. Credentials go in the URL as `user:password@`, percent-encoded. Query
   * parameters are nodemailer options, e.g. `?requireTLS=true`. A secret: write
   * `${SMTP_URL}` and set the variable.
   */
  @IsSmtpUrl()
  smtpUrl!: string;

  /** Sender, e.g. `"MaiAgent" <bot@example.com>`; its domain also ends the Message-ID. */
  @IsMailAddress()
  from!: string;

  /** Recipient, or a list of them. */
  @IsMailAddressList()
  to!: string | string[];

  /** Copy recipients. */
  @IsOptional()
  @IsMailAddressList()
  cc?: string | string[];

  /** Blind copy recipients: in the envelope, not in the headers. */
  @IsOptional()
  @IsMailAddressList()
  bcc?: string | string[];

  /** Where replies go, when not to `from`. */
  @IsOptional()
  @IsMailAddressList()
  replyTo?: string | string[];

  /** Liquid template of the subject line. */
  @IsString()
  @IsNotEmpty()
  subject!: string;

  /** Liquid template of the plain-text body. */
  @IsString()
  text!: string;

  /** Liquid template of an HTML body, sent as an alternative to `text`. */
  @IsOptional()
  @IsString()
  html?: string;

  /**
   * Milliseconds to wait for the connection, the greeting and each SMTP reply
   * before the attempt counts as failed and retryable; default 10000.
   */
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(300_000)
  timeoutMs?: number;
}
