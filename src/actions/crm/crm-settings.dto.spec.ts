import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

import { prepareTools } from '../../../test/support/action-run-factory';
import { CrmActionHandler } from './crm-action.handler';
import { CrmSettings } from './crm-settings.dto';
import { HubSpotCrmProvider } from './hubspot-crm.provider';

/** The same validation the actions file loader applies. */
function invalidKeys(raw: Record<string, unknown>): string[] {
  const errors = validateSync(plainToInstance(CrmSettings, raw), {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: false,
  });

  return errors.map((error) => error.property).sort();
}

const MINIMAL = { provider: 'hubspot', accessToken: 'pat-na1-abc' };

describe('CrmSettings', () => {
  it('accepts a minimal and a full settings block', () => {
    expect(invalidKeys(MINIMAL)).toEqual([]);
    expect(
      invalidKeys({
        ...MINIMAL,
        baseUrl: 'http://127.0.0.1:9000',
        contactProperty: 'maiagent_sender_id',
        noteKeyProperty: 'maiagent_run_key',
        identifyBy: 'conversation',
        noteTemplate: '{{ content }}',
        timeoutMs: 5000,
      }),
    ).toEqual([]);
  });

  it.each([
    ['provider', { provider: 'salesforce' }],
    ['accessToken', { accessToken: '' }],
    ['baseUrl', { baseUrl: 'api.hubapi.com' }],
    ['contactProperty', { contactProperty: 'has space' }],
    ['noteKeyProperty', { noteKeyProperty: '1starts_with_digit' }],
    ['identifyBy', { identifyBy: 'email' }],
    ['noteTemplate', { noteTemplate: '' }],
    ['timeoutMs', { timeoutMs: 50 }],
    ['unknown', { unknown: 1 }],
  ])('rejects a bad %s: %j', (key, raw) => {
    expect(invalidKeys({ ...MINIMAL, ...raw })).toEqual([key]);
  });
});

describe('CrmActionHandler.prepare', () => {
  it('builds the provider named in the settings, with the defaults', () => {
    const prepared = new CrmActionHandler().prepare(
      plainToInstance(CrmSettings, MINIMAL),
      prepareTools(),
    );

    expect(prepared.provider).toBeInstanceOf(HubSpotCrmProvider);
    expect(prepared.identifyBy).toBe('sender');
  });

  it('compiles the note template under its settings key', () => {
    const keys: string[] = [];

    new CrmActionHandler().prepare(
      plainToInstance(CrmSettings, { ...MINIMAL, noteTemplate: '{% if %}' }),
      prepareTools({
        template: (key) => {
          keys.push(key);

          return { render: () => Promise.resolve('') };
        },
      }),
    );

    expect(keys).toEqual(['noteTemplate']);
  });
});
