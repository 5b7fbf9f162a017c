import { randomUUID } from 'node:crypto';

import { SMTPServerOptions } from 'smtp-server';

import { ActionMessage, ActionRunContext, PrepareTools } from '../../src/actions/action-handler';
import {
  EmailActionHandler,
  PreparedEmail,
  mailMessageId,
} from '../../src/actions/email/email-action.handler';
import { EmailSettings } from '../../src/actions/email/email-settings.dto';
import { compileTemplate } from '../../src/actions/template-renderer';
import { createLogger } from '../../src/infra/logging/logger';
import { SmtpSink, closedPort, drain, smtpReply, startSmtpSink } from '../support/smtp-sink';
import { failureOf } from '../support/action-run-factory';

function actionMessage(overrides: Partial<ActionMessage> = {}): ActionMessage {
  return {
    id: `msg-${randomUUID()}`,
    conversation: 'conv-1',
    type: 'text',
    content: 'Customer asks about pricing',
    sender: { id: 'user-7', name: 'Ada', avatar: null },
    source: 'default',
    createdAt: '2025-01-02T03:04:05.000Z',
    receivedAt: '2025-01-02T03:04:06.000Z',
    feedback: null,
    attachments: [],
    citations: [],
    rawBody: Buffer.from('{}'),
    ...overrides,
  };
}

function runContext(overrides: Partial<ActionRunContext> = {}): ActionRunContext {
  const message = overrides.message ?? actionMessage();

  return {
    message,
    actionName: 'notify-sales',
    runId: randomUUID(),
    attempt: 1,
    idempotencyKey: `${message.id}:notify-sales`,
    signal: new AbortController().signal,
    logger: createLogger('silent'),
    ...overrides,
  };
}

function emailSettings(overrides: Partial<EmailSettings> = {}): EmailSettings {
  return Object.assign(new EmailSettings(), {
    smtpUrl: 'smtp://127.0.0.1:25',
    from: '"MaiAgent" <bot@relay.example.com>',
    to: 'sales@example.com',
    subject: 'New message from {{ sender.name }}',
    text: '{{ content }}',
    ...overrides,
  });
}

function prepareTools(overrides: Partial<PrepareTools> = {}): PrepareTools {
  return {
    template: (_key, source) => compileTemplate(source),
    problem: (key, text) => {
      throw new Error(`${key}: ${text}`);
    },
    allowPrivateNetworks: true,
    ...overrides,
  };
}

/** Runs `promise`, which must fail, and returns its error. */
describe('EmailActionHandler against a real SMTP server', () => {
  const handler = new EmailActionHandler();
  const opened: PreparedEmail[] = [];
  let sink: SmtpSink | undefined;

  async function startSink(options: SMTPServerOptions = {}): Promise<SmtpSink> {
    sink = await startSmtpSink(options);

    return sink;
  }

  function prepare(settings: Partial<EmailSettings>, tools = prepareTools()): PreparedEmail {
    const prepared = handler.prepare(emailSettings(settings), tools);

    opened.push(prepared);

    return prepared;
  }

  afterEach(async () => {
    // Pools first: the server's close() waits for their connections to end.
    await Promise.all(opened.splice(0).map((prepared) => handler.dispose(prepared)));
    await sink?.close();
    sink = undefined;
  });

  it('sends the rendered subject, text and html to every recipient, citations listed', async () => {
    const smtp = await startSink();
    const prepared = prepare({
      smtpUrl: smtp.url,
      to: ['sales@example.com', '"Lead Desk" <leads@example.com>'],
      cc: 'manager@example.com',
      bcc: 'audit@example.com',
      replyTo: 'support@example.com',
      text: '{{ content }}\n{% for c in citations %}- {{ c.filename }} {{ c.file }}\n{% endfor %}',
      html: '<p>{{ content }}</p><ul>{% for c in citations %}<li>{{ c.filename }}</li>{% endfor %}</ul>',
    });
    const context = runContext({
      message: actionMessage({
        citations: [
          { filename: 'pricing.pdf', file: 'https://files.example.com/pricing.pdf' },
          { filename: 'terms.pdf', file: 'https://files.example.com/terms.pdf' },
        ],
      }),
    });

    const result = await handler.execute(prepared, context);

    expect(smtp.received).toHaveLength(1);

    const [{ envelopeFrom, envelopeTo, mail }] = smtp.received;

    expect(envelopeFrom).toBe('bot@relay.example.com');
    expect(envelopeTo.sort()).toEqual([
      'audit@example.com',
      'leads@example.com',
      'manager@example.com',
      'sales@example.com',
    ]);
    expect(mail.subject).toBe('New message from Ada');
    expect(mail.text).toBe(
      'Customer asks about pricing\n' +
        '- pricing.pdf https://files.example.com/pricing.pdf\n' +
        '- terms.pdf https://files.example.com/terms.pdf\n',
    );
    expect(mail.html).toBe(
      '<p>Customer asks about pricing</p><ul><li>pricing.pdf</li><li>terms.pdf</li></ul>',
    );
    expect(mail.from?.text).toBe('"MaiAgent" <bot@relay.example.com>');
    expect(mail.cc).toMatchObject({ text: 'manager@example.com' });
    expect(mail.replyTo?.text).toBe('support@example.com');
    // Blind copies travel in the envelope only.
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.headers.get('x-maiagent-message-id')).toBe(context.message.id);
    expect(mail.headers.get('x-idempotency-key')).toBe(context.idempotencyKey);
    expect(mail.messageId).toBe(
      mailMessageId(context.message.id, 'notify-sales', 'relay.example.com'),
    );
    expect(result.detail).toContain(mail.messageId);
  });

  it('gives the same (message, action) the same Message-ID, and another action a new one', async () => {
    const smtp = await startSink();
    const prepared = prepare({ smtpUrl: smtp.url });
    const message = actionMessage();

    await handler.execute(prepared, runContext({ message }));
    await handler.execute(prepared, runContext({ message, attempt: 2 }));
    await handler.execute(prepared, runContext({ message, actionName: 'notify-support' }));
    await handler.execute(prepared, runContext({ message: actionMessage() }));

    const [first, resend, otherAction, otherMessage] = smtp.received.map(
      ({ mail }) => mail.messageId,
    );

    expect(first).toMatch(/^<[0-9a-f]{32}@relay\.example\.com>$/);
    expect(resend).toBe(first);
    expect(otherAction).not.toBe(first);
    expect(otherMessage).not.toBe(first);
  });

  it('names the Message-ID after the relay when the sender has no plain domain', async () => {
    const smtp = await startSink();
    const prepared = prepare({ smtpUrl: smtp.url, from: 'bot@[192.0.2.1]' });

    await handler.execute(prepared, runContext());

    expect(smtp.received[0].mail.messageId).toMatch(/^<[0-9a-f]{32}@maiagent-relay>$/);
  });

  it.each<[string, SMTPServerOptions]>([
    [
      'RCPT TO',
      {
        onRcptTo: (_address, _session, callback) => callback(smtpReply(550, 'No such user here')),
      },
    ],
    [
      'DATA',
      {
        onData: (stream, _session, callback) =>
          drain(stream, () => callback(smtpReply(550, 'Message refused'))),
      },
    ],
  ])('fails permanently when the server answers 550 to %s', async (_command, options) => {
    const smtp = await startSink(options);
    const prepared = prepare({ smtpUrl: smtp.url });

    const error = await failureOf(handler.execute(prepared, runContext()));

    expect(error).toMatchObject({ code: 'smtp_rejected', isRetryable: false, status: 550 });
    expect(smtp.received).toHaveLength(0);
  });

  it.each<[string, SMTPServerOptions]>([
    [
      'RCPT TO',
      {
        onRcptTo: (_address, _session, callback) => callback(smtpReply(451, 'Try again later')),
      },
    ],
    [
      'DATA',
      {
        onData: (stream, _session, callback) =>
          drain(stream, () => callback(smtpReply(451, 'Local error in processing'))),
      },
    ],
  ])('fails retryably when the server answers 451 to %s', async (_command, options) => {
    const smtp = await startSink(options);
    const prepared = prepare({ smtpUrl: smtp.url });

    const error = await failureOf(handler.execute(prepared, runContext()));

    expect(error).toMatchObject({ code: 'smtp_transient', isRetryable: true, status: 451 });
  });

  it('succeeds when only some recipients are refused, and names them', async () => {
    const smtp = await startSink({
      onRcptTo: (address, _session, callback) =>
        callback(address.address === 'gone@example.com' ? smtpReply(550, 'No such user') : null),
    });
    const prepared = prepare({ smtpUrl: smtp.url, to: ['sales@example.com', 'gone@example.com'] });

    const result = await handler.execute(prepared, runContext());

    expect(smtp.received.map(({ envelopeTo }) => envelopeTo)).toEqual([['sales@example.com']]);
    expect(result.detail).toContain('rejected gone@example.com');
  });

  it('fails retryably with smtp_unavailable when nothing listens on the port', async () => {
    const port = await closedPort();
    const prepared = prepare({ smtpUrl: `smtp://127.0.0.1:${port}` });

    const error = await failureOf(handler.execute(prepared, runContext()));

    expect(error).toMatchObject({ code: 'smtp_unavailable', isRetryable: true });
  });

  it('refuses a host name that resolves to a private address when those are not allowed', async () => {
    const smtp = await startSink();
    const prepared = prepare(
      { smtpUrl: `smtp://localhost:${smtp.port}` },
      prepareTools({ allowPrivateNetworks: false }),
    );

    const error = await failureOf(handler.execute(prepared, runContext()));

    expect(error).toMatchObject({ code: 'ssrf_blocked', isRetryable: false });
    expect(smtp.received).toHaveLength(0);
  });

  it('speaks TLS from the first byte for smtps://', async () => {
    const smtp = await startSink({ secure: true });
    const prepared = prepare({
      // The sink's certificate is smtp-server's built-in self-signed one.
      smtpUrl: `smtps://127.0.0.1:${smtp.port}?tls.rejectUnauthorized=false`,
    });

    await handler.execute(prepared, runContext());

    expect(smtp.received.map(({ isSecure }) => isSecure)).toEqual([true]);
  });

  it('fails permanently with smtp_auth when the server refuses the login', async () => {
    const smtp = await startSink({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth: (_auth, _session, callback) => callback(smtpReply(535, 'Invalid credentials')),
    });
    const prepared = prepare({ smtpUrl: `smtp://relay:wrong@127.0.0.1:${smtp.port}` });

    const error = await failureOf(handler.execute(prepared, runContext()));

    expect(error).toMatchObject({ code: 'smtp_auth', isRetryable: false, status: 535 });
    expect(smtp.received).toHaveLength(0);
  });

  it('logs in with the credentials from the URL', async () => {
    const logins: string[] = [];
    const smtp = await startSink({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth: (auth, _session, callback) => {
        logins.push(`${auth.username}:${auth.password}`);
        callback(null, { user: auth.username });
      },
    });
    const prepared = prepare({ smtpUrl: `smtp://relay:p%40ss@127.0.0.1:${smtp.port}` });

    await handler.execute(prepared, runContext());

    expect(logins).toEqual(['relay:p@ss']);
    expect(smtp.received).toHaveLength(1);
  });

  it('gives up retryably when the attempt is aborted while the server is silent', async () => {
    const attempt = new AbortController();
    // The server takes the message and never answers; the attempt's deadline ends the wait.
    const smtp = await startSink({ onData: (stream) => drain(stream, () => attempt.abort()) });
    const prepared = prepare({ smtpUrl: smtp.url });

    const error = await failureOf(
      handler.execute(prepared, runContext({ signal: attempt.signal })),
    );

    expect(error).toMatchObject({ code: 'smtp_timeout', isRetryable: true });
  });

  it('fails permanently on a template that breaks while rendering, and sends nothing', async () => {
    const smtp = await startSink();
    // Allocates past the renderer's memory limit, which only shows at render time.
    const prepared = prepare({
      smtpUrl: smtp.url,
      html: '{% for i in (1..20000000) %}{{ i }}{% endfor %}',
    });

    const error = await failureOf(handler.execute(prepared, runContext()));

    expect(error).toMatchObject({ code: 'template_error', isRetryable: false });
    expect(smtp.received).toHaveLength(0);
  });
});

describe('EmailActionHandler.prepare', () => {
  const handler = new EmailActionHandler();

  it('compiles each template under its settings key, so a bad one is named', () => {
    const keys: string[] = [];
    const tools = prepareTools({
      template: (key, source) => {
        keys.push(key);

        return compileTemplate(source);
      },
    });

    expect(() =>
      handler.prepare(
        emailSettings({ html: '<p>{{ content }}</p>', text: '{{ content | no_such_filter }}' }),
        tools,
      ),
    ).toThrow(/undefined filter: no_such_filter/);
    expect(keys).toEqual(['subject', 'text']);

    const prepared = handler.prepare(emailSettings({ html: '<p>{{ content }}</p>' }), tools);

    expect(keys).toEqual(['subject', 'text', 'subject', 'text', 'html']);

    return handler.dispose(prepared);
  });

  it.each([
    'smtp://127.0.0.1:25',
    'smtps://user:pw@10.1.2.3',
    'smtp://[::1]:25',
    'smtp://169.254.169.254',
  ])('reports %s as a private address when private networks are not allowed', async (smtpUrl) => {
    const problems: string[] = [];
    const prepared = handler.prepare(
      emailSettings({ smtpUrl }),
      prepareTools({
        allowPrivateNetworks: false,
        problem: (key, text) => problems.push(`${key}: ${text}`),
      }),
    );

    await handler.dispose(prepared);

    expect(problems).toEqual([expect.stringMatching(/^smtpUrl: .*private/)]);
  });

  it('accepts a public host when private networks are not allowed', async () => {
    const problems: string[] = [];
    const prepared = handler.prepare(
      emailSettings({ smtpUrl: 'smtps://user:pw@mail.example.com:465' }),
      prepareTools({
        allowPrivateNetworks: false,
        problem: (key, text) => problems.push(`${key}: ${text}`),
      }),
    );

    await handler.dispose(prepared);

    expect(problems).toEqual([]);
  });
});
