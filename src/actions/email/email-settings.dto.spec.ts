import 'reflect-metadata';

import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

import { EmailSettings, isMailAddress } from './email-settings.dto';

function rawSettings(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    smtpUrl: 'smtps://relay:secret@mail.example.com:465',
    from: 'bot@example.com',
    to: 'sales@example.com',
    subject: 'New message',
    text: '{{ content }}',
    ...overrides,
  };
}

/** `key: message` for every failed constraint, as start-up would list them. */
function problemsOf(raw: Record<string, unknown>): string[] {
  const settings = plainToInstance(EmailSettings, raw);

  return validateSync(settings, { forbidUnknownValues: false }).flatMap((error) =>
    Object.values(error.constraints ?? {}).map((text) => `${error.property}: ${text}`),
  );
}

describe('EmailSettings', () => {
  it('accepts complete settings', () => {
    expect(
      problemsOf(
        rawSettings({
          to: ['sales@example.com', 'Lead Desk <leads@example.com>'],
          cc: '"Ops, Night Shift" <ops@example.com>',
          bcc: ['audit@example.com'],
          replyTo: 'support@example.com',
          html: '<p>{{ content }}</p>',
          timeoutMs: 5000,
        }),
      ),
    ).toEqual([]);
  });

  it('names `to` when it is missing', () => {
    expect(problemsOf(rawSettings({ to: undefined }))).toEqual([
      expect.stringMatching(/^to: to must be an address/),
    ]);
  });

  it.each(['http://mail.example.com', 'mail.example.com:587', 'smtp://', 'smtp://relay:hunter2@'])(
    'names `smtpUrl` for %s without repeating the URL',
    (smtpUrl) => {
      const problems = problemsOf(rawSettings({ smtpUrl }));

      expect(problems).toEqual([
        expect.stringMatching(/^smtpUrl: smtpUrl must be an smtp:\/\/ or smtps:\/\/ URL/),
      ]);
      expect(problems[0]).not.toContain('hunter2');
    },
  );

  it('names the first bad entry of an address list', () => {
    expect(problemsOf(rawSettings({ to: ['sales@example.com', 'not an address'] }))).toEqual([
      expect.stringMatching(/^to: to\[1\] must be one address/),
    ]);
  });

  it('rejects an empty list and a comma-separated string', () => {
    expect(problemsOf(rawSettings({ cc: [], bcc: 'a@example.com, b@example.com' }))).toEqual([
      'cc: cc must list at least one address',
      expect.stringMatching(/^bcc: bcc must be an address .* or a list of them$/),
    ]);
  });

  it('lists every offending key at once', () => {
    const problems = problemsOf(
      rawSettings({ from: 'bot', subject: '', text: undefined, timeoutMs: 50 }),
    );

    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'from',
      'subject',
      'text',
      'timeoutMs',
    ]);
  });

  it.each([
    ['ops@example.com', true],
    ['Ops <ops@example.com>', true],
    ['"Ops" <ops@example.com>', true],
    ['  ops@example.com  ', true],
    ['ops@example.com>', false],
    ['ops example.com', false],
    ['<ops@example.com', false],
    ['ops@exa mple.com', false],
    ['', false],
  ])('isMailAddress(%j) is %s', (value, expected) => {
    expect(isMailAddress(value)).toBe(expected);
  });
});
