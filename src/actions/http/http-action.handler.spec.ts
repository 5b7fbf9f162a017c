import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

import { collectingTools, prepareTools } from '../../../test/support/action-run-factory';
import { HttpActionHandler } from './http-action.handler';
import { HttpSettings } from './http-settings.dto';

/** The same validation the actions file loader applies. */
function invalidKeys(raw: Record<string, unknown>): string[] {
  const errors = validateSync(plainToInstance(HttpSettings, raw), {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: false,
  });

  return errors.map((error) => error.property).sort();
}

describe('HttpSettings', () => {
  it('accepts a minimal and a full settings block', () => {
    expect(invalidKeys({ url: 'https://hooks.example.com/in' })).toEqual([]);
    expect(
      invalidKeys({
        url: 'http://127.0.0.1:8080/hook?x=1',
        method: 'PATCH',
        headers: { Authorization: 'Bearer abc', 'X-Team': 'sales' },
        body: 'template',
        bodyTemplate: '{{ content }}',
        contentType: 'text/plain; charset=utf-8',
        timeoutMs: 5000,
        maxResponseBytes: 4096,
        signingSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      }),
    ).toEqual([]);
  });

  it.each([
    ['url', { url: 'ftp://example.com/x' }],
    ['url', { url: 'example.com/x' }],
    ['method', { method: 'HEAD' }],
    ['headers', { headers: { 'X-Bad': 'a\r\nInjected: yes' } }],
    ['headers', { headers: { 'Bad Name': 'x' } }],
    ['headers', { headers: { 'X-Number': 5 } }],
    ['body', { body: 'json' }],
    ['contentType', { contentType: 'json' }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['maxResponseBytes', { maxResponseBytes: -1 }],
    ['signingSecret', { signingSecret: 'not-a-secret' }],
    ['unknown', { unknown: true }],
  ])('rejects a bad %s: %j', (key, raw) => {
    expect(invalidKeys({ url: 'https://hooks.example.com/in', ...raw })).toEqual([key]);
  });
});

describe('HttpActionHandler.prepare', () => {
  const handler = new HttpActionHandler();

  function settings(raw: Partial<HttpSettings>): HttpSettings {
    return plainToInstance(HttpSettings, { url: 'https://hooks.example.com/in', ...raw });
  }

  it('fills in the documented defaults', () => {
    const prepared = handler.prepare(settings({}), prepareTools({ allowPrivateNetworks: false }));

    expect(prepared).toMatchObject({
      method: 'POST',
      bodyMode: 'original',
      contentType: 'application/json',
      timeoutMs: 10_000,
      maxResponseBytes: 1024 * 1024,
      allowPrivateNetworks: false,
      label: 'POST https://hooks.example.com',
    });
    expect(prepared.signer).toBeUndefined();
    expect(prepared.bodyTemplate).toBeUndefined();
  });

  it('switches to the template body when only bodyTemplate is given', () => {
    const prepared = handler.prepare(settings({ bodyTemplate: '{{ content }}' }), prepareTools());

    expect(prepared.bodyMode).toBe('template');
    expect(prepared.bodyTemplate).toBeDefined();
  });

  it('reports every contradictory or reserved setting', () => {
    const { tools, problems } = collectingTools();

    handler.prepare(
      settings({
        method: 'GET',
        body: 'template',
        headers: { 'Idempotency-Key': 'mine', 'Content-Type': 'text/plain', 'X-Ok': 'fine' },
      }),
      tools,
    );

    expect(problems).toEqual([
      'bodyTemplate: is required when body is "template"',
      'method: GET sends no body; remove body and bodyTemplate or pick another method',
      'headers.idempotency-key: is set by the action and cannot be configured',
      'headers.content-type: is set by the action and cannot be configured',
    ]);
  });

  it('reports a bodyTemplate that the original body would ignore', () => {
    const { tools, problems } = collectingTools();

    handler.prepare(settings({ body: 'original', bodyTemplate: '{{ content }}' }), tools);

    expect(problems).toEqual([
      'bodyTemplate: is not used when body is "original"; remove one of the two',
    ]);
  });
});
