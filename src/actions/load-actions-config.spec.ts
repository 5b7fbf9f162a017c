import { join } from 'node:path';

import { ChatNotifyHandler } from '../plugins/chat-notify/chat-notify.handler';
import { CrmActionHandler } from './crm/crm-action.handler';
import { HttpActionHandler } from './http/http-action.handler';
import { EmailActionHandler } from './email/email-action.handler';
import { ActionsConfigError, loadActionsConfig } from './load-actions-config';
import { writeActionsFile } from '../../test/support/actions-file';
import { ActionHandler } from './action-handler';

const handlers = [new EmailActionHandler(), new HttpActionHandler()] as ActionHandler[];

function problemsOf(content: Record<string, unknown> | string, env: Record<string, string> = {}) {
  const file = writeActionsFile(content);

  try {
    loadActionsConfig(file, env, handlers);
  } catch (error) {
    expect(error).toBeInstanceOf(ActionsConfigError);

    return { file, problems: (error as ActionsConfigError).problems };
  }
  throw new Error('expected the configuration to be refused');
}

const email = {
  name: 'mail-team',
  type: 'email',
  settings: {
    smtpUrl: '${SMTP_URL}',
    from: 'bot@example.com',
    to: 'team@example.com',
    subject: 'Reply in {{ conversation }}',
    text: '{{ content }}',
  },
};

describe('loadActionsConfig', () => {
  it('loads a valid file, substituting environment variables', () => {
    const file = writeActionsFile({
      actions: [
        email,
        { name: 'hook', type: 'http', settings: { url: 'https://hooks.example.com/x' } },
      ],
      routes: [
        { name: 'all', when: { type: ['outgoing', 'incoming'] }, actions: ['mail-team', 'hook'] },
      ],
    });
    const loaded = loadActionsConfig(file, { SMTP_URL: 'smtp://mail.example.com:25' }, handlers);

    expect(loaded.config.actions.map((action) => action.name)).toEqual(['mail-team', 'hook']);
    expect(loaded.config.routes[0].when.type).toEqual(['outgoing', 'incoming']);
    expect(loaded.actions.get('mail-team')?.definition.settings).toMatchObject({
      smtpUrl: 'smtp://mail.example.com:25',
    });
    expect(loaded.actions.get('hook')?.definition.retry.attempts).toBe(5);
  });

  it('names the file, the action and the key of every problem at once', () => {
    const { file, problems } = problemsOf({
      actions: [
        { name: 'mystery', type: 'carrier-pigeon', settings: {} },
        { name: 'hook', type: 'http', settings: { url: 'not a url' }, retry: { attempts: 0 } },
        { ...email, settings: { ...email.settings, to: undefined } },
      ],
      routes: [{ name: 'broken', when: { contentMatches: '([' }, actions: ['nowhere'] }],
    });

    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /actions\[mystery\]\.type: unknown action type "carrier-pigeon" \(known: email, http\)/,
        ),
        expect.stringMatching(/actions\[hook\]\.settings\.url: /),
        expect.stringMatching(
          /actions\[hook\]\.retry\.attempts: must be a whole number from 1 to 100/,
        ),
        expect.stringMatching(/actions\[mail-team\]\.settings\.to: /),
        expect.stringMatching(
          /actions\[mail-team\]\.settings\.smtpUrl: environment variable SMTP_URL is not set/,
        ),
        expect.stringMatching(
          /routes\[broken\]\.when\.contentMatches: is not a valid regular expression/,
        ),
        expect.stringMatching(/routes\[broken\]\.actions: refers to "nowhere"/),
      ]),
    );
    for (const problem of problems) {
      expect(problem.startsWith(`${file}: `)).toBe(true);
    }
  });

  it('refuses unknown keys, so a typo does not silently drop a setting', () => {
    const { problems } = problemsOf({
      actions: [
        { name: 'hook', type: 'http', settings: { url: 'https://a.example', methd: 'PUT' } },
      ],
      routes: [{ name: 'r', when: { tpye: 'outgoing' }, actions: ['hook'] }],
      extra: true,
    });

    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/actions\[hook\]\.settings\.methd: property methd should not exist/),
        expect.stringMatching(/routes\[r\]\.when: unknown condition "tpye"/),
        expect.stringMatching(/\(top level\): unknown key "extra"/),
      ]),
    );
  });

  it('reports YAML syntax errors with the file name', () => {
    const { file, problems } = problemsOf('actions: [\n  { name: x');

    expect(problems[0]).toContain(`${file}: (yaml): `);
  });

  it('refuses duplicate action names and stateful regular expression flags', () => {
    const hook = { name: 'hook', type: 'http', settings: { url: 'https://a.example' } };
    const { problems } = problemsOf({
      actions: [hook, hook],
      routes: [{ name: 'r', when: { contentMatches: '/x/g' }, actions: ['hook'] }],
    });

    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/actions\[hook\]\.name: "hook" is declared twice/),
        expect.stringMatching(/routes\[r\]\.when\.contentMatches: flags g and y are not allowed/),
      ]),
    );
  });

  it('has no actions and no routes without a file', () => {
    expect(loadActionsConfig(undefined, {}, handlers).config).toMatchObject({
      actions: [],
      routes: [],
    });
  });
});

describe('the example actions file', () => {
  it('is valid with its variables set', () => {
    const all = [...handlers, new CrmActionHandler(), new ChatNotifyHandler()] as ActionHandler[];
    const loaded = loadActionsConfig(
      join(__dirname, 'actions.example.yml'),
      {
        SMTP_URL: 'smtp://mail.example.com:587',
        HUBSPOT_TOKEN: 'pat-example',
        OUTBOUND_SIGNING_SECRET: `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`,
      },
      all,
    );

    expect(loaded.config.actions.map((action) => action.type)).toEqual([
      'email',
      'crm',
      'http',
      'chat-notify',
    ]);
    expect(loaded.config.routes).toHaveLength(3);
  });
});

describe('a plugin action type', () => {
  it('has its settings validated like a built-in type', () => {
    const file = writeActionsFile({
      actions: [
        { name: 'alert', type: 'chat-notify', settings: { url: 'ftp://chat', texts: 'x' } },
      ],
    });

    const attempt = () => loadActionsConfig(file, {}, [new ChatNotifyHandler()]);

    expect(attempt).toThrow(/actions\[alert\]\.settings\.url: url must be a URL address/);
    expect(attempt).toThrow(/actions\[alert\]\.settings\.texts: property texts should not exist/);
  });
});
