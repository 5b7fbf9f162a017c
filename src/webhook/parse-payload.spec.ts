import { makeCitation, SPEC_EXAMPLE } from '../../test/support/payloads';
import { ParsedPayload, hashCanonical, parsePayload } from './parse-payload';

/** The example of MaiAgent's webhook page, with `overrides` replacing top-level fields. */
function makeBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...SPEC_EXAMPLE, ...overrides };
}

function expectValid(body: unknown): ParsedPayload {
  const result = parsePayload(body);

  if (!result.isValid) {
    throw new Error(`expected a valid payload, got problems: ${result.problems.join('; ')}`);
  }

  return result.payload;
}

function problemsOf(body: unknown): string[] {
  const result = parsePayload(body);

  if (result.isValid) {
    throw new Error('expected an invalid payload');
  }

  return result.problems;
}

describe('parsePayload', () => {
  it('normalises the spec example', () => {
    const body = makeBody();

    expect(expectValid(body)).toEqual({
      messageId: 'msg123',
      conversation: 'conv456',
      type: 'outgoing',
      senderId: '789',
      senderName: 'Test User',
      senderAvatar: '<https://example.com/avatar.jpg>',
      content: 'This is a webhook test message',
      feedback: null,
      attachments: [],
      citations: [],
      messageCreatedAt: new Date(1728219442000),
      contentHash: hashCanonical(body),
    });
  });

  it('reads createdAt as well as created_at', () => {
    const body = makeBody({ created_at: undefined, createdAt: '2024-10-06T12:57:22Z' });

    expect(expectValid(body).messageCreatedAt).toEqual(new Date(1728219442000));
  });

  it('accepts a payload without a timestamp', () => {
    expect(expectValid(makeBody({ created_at: undefined })).messageCreatedAt).toBeNull();
  });

  it('keeps a string sender id and turns a number into text', () => {
    expect(expectValid(makeBody({ sender: { id: 'user-42' } })).senderId).toBe('user-42');
    expect(expectValid(makeBody({ sender: { id: 42 } })).senderId).toBe('42');
  });

  it('stores a null sender id as null, not as the text "null"', () => {
    expect(expectValid(makeBody({ sender: { id: null, name: 'x' } })).senderId).toBeNull();
  });

  it('turns numeric message and conversation ids into text', () => {
    const payload = expectValid(makeBody({ id: 12345, conversation: 678 }));

    expect(payload.messageId).toBe('12345');
    expect(payload.conversation).toBe('678');
  });

  it('keeps feedback, attachments and citations as sent, unknown citation fields included', () => {
    const feedback = { rating: 5, tags: ['helpful', { nested: [1, 2] }], note: null };
    const attachments = [{ id: 'a1', type: 'image', filename: 'x.png', file: 'https://x/x.png' }];
    const citations = [makeCitation({ page: 3, extra: { anything: true } })];
    const payload = expectValid(makeBody({ feedback, attachments, citations }));

    expect(payload.feedback).toEqual(feedback);
    expect(payload.attachments).toEqual(attachments);
    expect(payload.citations).toEqual(citations);
  });

  it('accepts unknown top-level fields', () => {
    expect(parsePayload(makeBody({ citationNodes: [{ id: 'n1' }], future: 1 })).isValid).toBe(true);
  });

  it('replaces characters Postgres cannot store in the normalised fields', () => {
    const payload = expectValid(
      makeBody({
        content: 'a\u0000b \ud83d\ude00 \ud800',
        feedback: { 'k\u0000': ['v\u0000', '\udc00'] },
      }),
    );

    expect(payload.content).toBe('a\ufffdb \ud83d\ude00 \ufffd');
    expect(payload.feedback).toEqual({ 'k\ufffd': ['v\ufffd', '\ufffd'] });
  });

  it('hashes bodies that differ only in key order alike, and different content differently', () => {
    expect(hashCanonical({ a: 1, b: [{ c: 2, d: 3 }] })).toBe(
      hashCanonical({ b: [{ d: 3, c: 2 }], a: 1 }),
    );
    expect(hashCanonical(makeBody())).not.toBe(hashCanonical(makeBody({ content: 'other' })));
  });

  it.each([
    ['null', null],
    ['an array', [makeBody()]],
    ['a string', 'hello'],
    ['a number', 42],
  ])('rejects %s as the body', (_label, body) => {
    expect(problemsOf(body)).toEqual(['the body must be a JSON object']);
  });

  it('names id and conversation when they are missing', () => {
    const problems = problemsOf(makeBody({ id: undefined, conversation: undefined }));

    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^id /);
    expect(problems[1]).toMatch(/^conversation /);
  });

  it.each([
    ['an empty id', { id: '' }, 'id'],
    ['an id longer than 255 characters', { id: 'x'.repeat(256) }, 'id'],
    ['an object as conversation', { conversation: { id: 1 } }, 'conversation'],
    ['a sender that is a string', { sender: 'Test User' }, 'sender'],
    ['a type that is a number', { type: 7 }, 'type'],
    ['content that is an object', { content: { text: 'hi' } }, 'content'],
    ['feedback that is an array', { feedback: ['good'] }, 'feedback'],
    ['feedback that is a string', { feedback: 'good' }, 'feedback'],
    ['attachments that are an object', { attachments: {} }, 'attachments'],
    ['citations that are a string', { citations: 'faq.jsonl' }, 'citations'],
    ['a created_at that is not a time', { created_at: 'yesterday' }, 'created_at'],
    ['a createdAt that is a boolean', { createdAt: true }, 'createdAt'],
  ])('names the field for %s', (_label, overrides, field) => {
    const problems = problemsOf(makeBody(overrides));

    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) {
      expect(problem.startsWith(`${field} `) || problem.startsWith(`${field}:`)).toBe(true);
    }
  });

  it('names nested paths in full', () => {
    const problems = problemsOf(
      makeBody({
        sender: { id: { no: 1 }, name: 5, avatar: [] },
        citations: [makeCitation(), makeCitation({ size: {}, createdAt: 'soon' }), 'x'],
      }),
    );

    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^sender\.id /),
        expect.stringMatching(/^sender\.name /),
        expect.stringMatching(/^sender\.avatar /),
        expect.stringMatching(/^citations\.1\.size /),
        expect.stringMatching(/^citations\.1\.createdAt /),
        expect.stringMatching(/^citations\.2[ :]/),
      ]),
    );
    expect(problems.some((problem) => problem.startsWith('citations.0'))).toBe(false);
  });

  it('lists every problem, not just the first', () => {
    const problems = problemsOf({ sender: 'x', citations: {}, feedback: 1 });
    const fields = new Set(problems.map((problem) => problem.split(/[ :.]/)[0]));

    expect([...fields].sort()).toEqual(['citations', 'conversation', 'feedback', 'id', 'sender']);
  });
});
