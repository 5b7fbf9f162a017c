import { createHash } from 'node:crypto';
import { LookupFunction, connect, isIP } from 'node:net';

import { Injectable } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import type {
  NodemailerError,
  SMTPPoolOptions,
  SMTPPoolSentMessageInfo,
  Transporter,
} from 'nodemailer';

import { createGuardedLookup, isBlockedAddress } from '../../infra/http/address-guard';
import { ActionError } from '../action-error';
import { ActionHandler, ActionResult, ActionRunContext, PrepareTools } from '../action-handler';
import { CompiledTemplate } from '../template-renderer';
import { DEFAULT_EMAIL_TIMEOUT_MS, EmailSettings, bareAddress } from './email-settings.dto';

/** What one configured email action keeps between runs: its templates and its pool. */
export interface PreparedEmail {
  transport: Transporter<SMTPPoolSentMessageInfo, SMTPPoolOptions>;
  from: string;
  to: string | string[];
  cc?: string | string[];
  bcc?: string | string[];
  replyTo?: string | string[];
  subject: CompiledTemplate;
  text: CompiledTemplate;
  html?: CompiledTemplate;
  /** Right-hand side of the Message-IDs this action sends. */
  messageIdDomain: string;
}

const FALLBACK_MESSAGE_ID_DOMAIN = 'maiagent-relay';

/** nodemailer's and the socket's codes for a server that could not be reached or talked to. */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  // A handshake can fail on a flaky link; a bad certificate exhausts the retries instead.
  'ETLS',
  'EPROXY',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const AUTH_CODES: ReadonlySet<string> = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2']);

/** nodemailer refused the mail itself, before any server reply: sending it again cannot help. */
const INVALID_MAIL_CODES: ReadonlySet<string> = new Set([
  'EENVELOPE',
  'EMESSAGE',
  'ECONFIG',
  'EMAXRECIPIENTS',
  'EREQUIRETLS',
  'EFILEACCESS',
  'EURLACCESS',
]);

type GetSocket = NonNullable<SMTPPoolOptions['getSocket']>;

/** The built-in `email` action: one mail per run through a pooled SMTP transport. */
@Injectable()
export class EmailActionHandler implements ActionHandler<EmailSettings, PreparedEmail> {
  readonly type = 'email';
  readonly settingsSchema = EmailSettings;

  prepare(settings: EmailSettings, tools: PrepareTools): PreparedEmail {
    const timeoutMs = settings.timeoutMs ?? DEFAULT_EMAIL_TIMEOUT_MS;
    // WHATWG keeps the brackets of an IPv6 host.
    const host = new URL(settings.smtpUrl).hostname.replace(/^\[(.*)\]$/, '$1');

    // A literal address is refused here, at start-up; a host name when it resolves.
    if (!tools.allowPrivateNetworks && isIP(host) !== 0 && isBlockedAddress(host)) {
      tools.problem(
        'smtpUrl',
        'points at a private, loopback or link-local address, and private networks are not allowed',
      );
    }

    const subject = tools.template('subject', settings.subject);
    const text = tools.template('text', settings.text);
    const html = settings.html === undefined ? undefined : tools.template('html', settings.html);

    // Limitation: smtp:// sends credentials in clear when the server offers no STARTTLS;
    // smtps:// or ?requireTLS=true in the URL prevents that.
    const transport = createTransport({
      url: settings.smtpUrl,
      pool: true,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      // One requeue covers a pooled connection the server dropped while idle; further
      // retries belong to the queue, which backs off and records each attempt.
      maxRequeues: 1,
      // Bodies are rendered from message data; never let one name a file or URL to read.
      disableFileAccess: true,
      disableUrlAccess: true,
      getSocket: openSocket(
        timeoutMs,
        tools.allowPrivateNetworks ? undefined : createGuardedLookup(),
      ),
    });

    return {
      transport,
      from: settings.from,
      to: settings.to,
      cc: settings.cc,
      bcc: settings.bcc,
      replyTo: settings.replyTo,
      subject,
      text,
      html,
      messageIdDomain: messageIdDomain(settings.from),
    };
  }

  async execute(prepared: PreparedEmail, context: ActionRunContext): Promise<ActionResult> {
    const { message } = context;
    const messageId = mailMessageId(message.id, context.actionName, prepared.messageIdDomain);

    // Render everything before connecting, so a template error sends nothing.
    const [subject, text, html] = await Promise.all([
      prepared.subject.render(message),
      prepared.text.render(message),
      prepared.html?.render(message),
    ]);

    let info: SMTPPoolSentMessageInfo;

    try {
      info = await prepared.transport.sendMail({
        from: prepared.from,
        to: prepared.to,
        cc: prepared.cc,
        bcc: prepared.bcc,
        replyTo: prepared.replyTo,
        subject,
        text,
        html,
        messageId,
        headers: {
          'X-MaiAgent-Message-Id': message.id,
          'X-Idempotency-Key': context.idempotencyKey,
        },
        signal: context.signal,
      });
    } catch (error) {
      throw classifySmtpError(error);
    }

    // Some recipients took the mail: a retry would send it to them again, so this run
    // counts as done and the refused ones are reported instead.
    // Limitation: a recipient refused this way is never retried, even on a transient 4xx;
    // that recipient misses the mail unless an operator resends it.
    if (info.rejected.length > 0) {
      context.logger.error({ messageId, rejected: info.rejected }, 'email recipients rejected');
    }

    return { detail: sendDetail(info) };
  }

  dispose(prepared: PreparedEmail): Promise<void> {
    // Idle connections close now; one in the middle of a delivery finishes it first.
    prepared.transport.close();

    return Promise.resolve();
  }
}

/**
 * Same (message, action), same Message-ID: a mail resent after an ambiguous
 * failure (sent, but the reply was lost) is recognisable as a duplicate.
 */
export function mailMessageId(messageId: string, actionName: string, domain: string): string {
  // The separator keeps ("ab", "c") and ("a", "bc") apart.
  const digest = createHash('sha256').update(`${messageId}\n${actionName}`).digest('hex');

  return `<${digest.slice(0, 32)}@${domain}>`;
}

/** Maps a nodemailer failure to a retry decision, by its code and SMTP reply code only. */
export function classifySmtpError(error: unknown): ActionError {
  if (error instanceof ActionError) {
    return error;
  }

  // Read the fields rather than test `instanceof Error`: socket errors can come from
  // another realm (a vm context, as under jest), where that test is false.
  const failure = (typeof error === 'object' && error !== null ? error : {}) as NodemailerError;
  const { code, responseCode } = failure;
  const cause = error;
  const text = typeof failure.message === 'string' ? failure.message : String(error);

  if (code === 'EABORT') {
    return ActionError.retryable('smtp_timeout', `email send aborted: ${text}`, { cause });
  }
  if (code !== undefined && AUTH_CODES.has(code)) {
    // 454 is a temporary authentication failure (RFC 4954): the credentials may be fine.
    if (responseCode !== undefined && responseCode < 500) {
      return ActionError.retryable('smtp_transient', `SMTP login deferred: ${text}`, {
        status: responseCode,
        cause,
      });
    }

    return ActionError.permanent('smtp_auth', `SMTP login failed: ${text}`, {
      status: responseCode,
      cause,
    });
  }
  if (responseCode !== undefined) {
    return isPermanentReply(responseCode)
      ? ActionError.permanent('smtp_rejected', `SMTP server rejected the email: ${text}`, {
          status: responseCode,
          cause,
        })
      : ActionError.retryable('smtp_transient', `SMTP server deferred the email: ${text}`, {
          status: responseCode,
          cause,
        });
  }
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) {
    return ActionError.retryable('smtp_unavailable', `SMTP server unreachable: ${text}`, {
      cause,
    });
  }
  if (code !== undefined && INVALID_MAIL_CODES.has(code)) {
    return ActionError.permanent('smtp_invalid_email', `email could not be sent: ${text}`, {
      cause,
    });
  }

  return ActionError.retryable('smtp_failed', `email send failed: ${text}`, { cause });
}

/**
 * RFC 5321: 5yz is a permanent rejection, 4yz transient. 503 (bad sequence of
 * commands) is a session-state problem that a fresh connection clears, as
 * nodemailer also treats it.
 */
function isPermanentReply(responseCode: number): boolean {
  return responseCode >= 500 && responseCode < 600 && responseCode !== 503;
}

function messageIdDomain(from: string): string {
  const domain = bareAddress(from).split('@').pop() ?? '';

  // Only a plain host name is safe on the right of a Message-ID.
  return /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(domain) ? domain : FALLBACK_MESSAGE_ID_DOMAIN;
}

/**
 * Opens the TCP connection for nodemailer, which then does TLS and SMTP over
 * it. With the guarded lookup, a host name that resolves to a private address
 * is refused as it connects, also when its DNS answer changes after start-up.
 */
function openSocket(timeoutMs: number, lookup?: LookupFunction): GetSocket {
  return (options, callback) => {
    // nodemailer's own defaults when the URL names no port.
    const port = Number(options.port) || (options.secure ? 465 : 587);
    const socket = connect({ host: options.host, port, lookup });
    const timer = setTimeout(() => {
      socket.destroy(Object.assign(new Error('connection timed out'), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      callback(error);
    };

    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      callback(null, { connection: socket });
    });
  };
}

function sendDetail(info: SMTPPoolSentMessageInfo): string {
  const parts = [`${info.messageId}: ${info.response}`];

  // Some providers (Microsoft 365, Amazon SES) replace the Message-ID with their own.
  if (info.serverMessageId) {
    parts.push(`server id ${info.serverMessageId}`);
  }
  if (info.rejected.length > 0) {
    parts.push(`rejected ${info.rejected.join(', ')}`);
  }

  return parts.join('; ');
}
