import { parseTimestamp } from './timestamp';

const SPEC_MILLIS = 1728219442000;
const SPEC_DATE = new Date(SPEC_MILLIS);

describe('parseTimestamp', () => {
  it('reads epoch milliseconds given as a digit string, the documented form', () => {
    expect(parseTimestamp('1728219442000')).toEqual(SPEC_DATE);
  });

  it('reads epoch milliseconds given as a number', () => {
    expect(parseTimestamp(SPEC_MILLIS)).toEqual(SPEC_DATE);
  });

  it('accepts a fractional millisecond string', () => {
    expect(parseTimestamp('1728219442000.9')?.getTime()).toBe(SPEC_MILLIS);
  });

  it('reads a ten-digit value as epoch seconds', () => {
    expect(parseTimestamp(1728219442)).toEqual(SPEC_DATE);
    expect(parseTimestamp('1728219442')).toEqual(SPEC_DATE);
  });

  it('reads ISO-8601 dates and date-times with an offset', () => {
    expect(parseTimestamp('2024-10-06T12:57:22Z')).toEqual(SPEC_DATE);
    expect(parseTimestamp('2024-10-06T20:57:22.000+08:00')).toEqual(SPEC_DATE);
    expect(parseTimestamp('2024-10-06')).toEqual(new Date(Date.UTC(2024, 9, 6)));
  });

  it('does not treat an early ISO date as epoch seconds', () => {
    expect(parseTimestamp('1970-01-02T00:00:00Z')).toEqual(new Date(Date.UTC(1970, 0, 2)));
  });

  it('accepts the epoch itself', () => {
    expect(parseTimestamp(0)).toEqual(new Date(0));
  });

  it.each([
    ['a negative number', -1],
    ['a negative digit string', '-1728219442000'],
    ['an empty string', ''],
    ['words', 'yesterday'],
    ['an impossible month', '2024-13-01T00:00:00Z'],
    ['a number beyond year 9999', 1e15],
    ['more than sixteen digits', '12345678901234567'],
    ['null', null],
    ['undefined', undefined],
    ['a boolean', true],
    ['an object', { ms: SPEC_MILLIS }],
    ['an array', [SPEC_MILLIS]],
    ['infinity', Infinity],
    ['NaN', NaN],
  ])('rejects %s', (_label, value) => {
    expect(parseTimestamp(value)).toBeUndefined();
  });
});
