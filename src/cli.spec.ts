import { parseReplayArguments } from './cli';

describe('replay command arguments', () => {
  it('builds a filter from every option', () => {
    expect(
      parseReplayArguments([
        '--action',
        'crm-note',
        '--error-code',
        'http_503',
        '--since',
        '2026-12-01T00:00:00Z',
        '--until',
        '2026-12-02T00:00:00Z',
        '--force',
      ]),
    ).toEqual({
      runId: undefined,
      actionName: 'crm-note',
      errorCode: 'http_503',
      deadAfter: new Date('2026-12-01T00:00:00Z'),
      deadBefore: new Date('2026-12-02T00:00:00Z'),
      isForced: true,
    });
  });

  it('refuses to replay everything unless asked to', () => {
    expect(() => parseReplayArguments([])).toThrow(/needs a filter .* or --all/);
    expect(parseReplayArguments(['--all'])).toMatchObject({ isForced: false, runId: undefined });
  });

  it('names a bad date', () => {
    expect(() => parseReplayArguments(['--since', 'yesterday'])).toThrow(
      '--since must be an ISO-8601 date, got "yesterday"',
    );
  });
});
