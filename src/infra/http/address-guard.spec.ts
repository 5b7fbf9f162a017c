import { LookupAddress } from 'node:dns';

import { ActionError } from '../../actions/action-error';
import { createGuardedLookup, isBlockedAddress } from './address-guard';

describe('isBlockedAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '::1',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    'fc00::1',
    'fd12:3456::1',
    '169.254.169.254',
    'fe80::1',
    '0.0.0.0',
    '0.1.2.3',
    '100.64.0.1',
    '100.127.255.254',
    '224.0.0.1',
    'ff02::1',
    '255.255.255.255',
    '::',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    '::ffff:192.168.0.1',
    'not-an-address',
  ])('blocks %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '192.169.0.1',
    '169.255.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ])('allows %s', (address) => {
    expect(isBlockedAddress(address)).toBe(false);
  });
});

describe('createGuardedLookup', () => {
  type Outcome = { error: unknown; address: string | LookupAddress[]; family?: number };

  function lookupWith(answer: LookupAddress[] | NodeJS.ErrnoException, all: boolean) {
    const lookup = createGuardedLookup((_hostname, _options, callback) =>
      Array.isArray(answer) ? callback(null, answer) : callback(answer, []),
    );

    return new Promise<Outcome>((resolve) =>
      lookup('api.example.test', { all }, (error, address, family) =>
        resolve({ error, address, family }),
      ),
    );
  }

  it('refuses a name that resolves only to private addresses, naming host and address', async () => {
    const outcome = await lookupWith(
      [
        { address: '10.1.2.3', family: 4 },
        { address: 'fd00::7', family: 6 },
      ],
      true,
    );

    expect(outcome.error).toBeInstanceOf(ActionError);
    expect(outcome.error).toMatchObject({ code: 'ssrf_blocked', isRetryable: false });
    expect((outcome.error as Error).message).toContain('api.example.test');
    expect((outcome.error as Error).message).toContain('10.1.2.3');
  });

  it('keeps only the public addresses of a mixed answer', async () => {
    const outcome = await lookupWith(
      [
        { address: '127.0.0.1', family: 4 },
        { address: '93.184.215.14', family: 4 },
        { address: '::ffff:169.254.169.254', family: 6 },
      ],
      true,
    );

    expect(outcome.error).toBeNull();
    expect(outcome.address).toEqual([{ address: '93.184.215.14', family: 4 }]);
  });

  it('answers in the single-address form when all is not requested', async () => {
    const outcome = await lookupWith(
      [
        { address: '192.168.0.10', family: 4 },
        { address: '2606:4700:4700::1111', family: 6 },
      ],
      false,
    );

    expect(outcome).toEqual({ error: null, address: '2606:4700:4700::1111', family: 6 });
  });

  it('passes a resolver failure through unchanged', async () => {
    const failure: NodeJS.ErrnoException = Object.assign(new Error('no such host'), {
      code: 'ENOTFOUND',
    });
    const outcome = await lookupWith(failure, true);

    expect(outcome.error).toBe(failure);
  });
});
