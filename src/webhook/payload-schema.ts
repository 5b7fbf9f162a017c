import { parseTimestamp } from './timestamp';

const MAX_ID_LENGTH = 255;
const MAX_TYPE_LENGTH = 100;

type Problems = string[];
type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** MaiAgent sends some ids as strings in one reading of its spec and as numbers in another. */
function checkId(value: unknown, path: string, problems: Problems, isRequired: boolean): void {
  if (value === undefined && !isRequired) {
    return;
  }

  const isOk =
    (typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH) ||
    (typeof value === 'number' && Number.isFinite(value));

  if (!isOk) {
    problems.push(
      `${path} must be a non-empty string of at most ${MAX_ID_LENGTH} characters, or a number`,
    );
  }
}

function checkString(value: unknown, path: string, problems: Problems, maxLength = Infinity): void {
  if (value === undefined) {
    return;
  }
  if (typeof value !== 'string') {
    problems.push(`${path} must be a string`);
  } else if (value.length > maxLength) {
    problems.push(`${path} must be at most ${maxLength} characters`);
  }
}

function checkScalar(value: unknown, path: string, problems: Problems): void {
  if (value !== undefined && typeof value !== 'string' && typeof value !== 'number') {
    problems.push(`${path} must be a string or a number`);
  }
}

function checkTimestamp(value: unknown, path: string, problems: Problems): void {
  if (value !== undefined && parseTimestamp(value) === undefined) {
    problems.push(
      `${path} must be epoch milliseconds (number or digit string) or an ISO-8601 date`,
    );
  }
}

function checkSender(value: unknown, problems: Problems): void {
  if (value === undefined || value === null) {
    return;
  }
  if (!isPlain(value)) {
    problems.push('sender must be an object');

    return;
  }
  if (value.id !== null) {
    checkId(value.id, 'sender.id', problems, false);
  }
  checkString(value.name, 'sender.name', problems);
  checkString(value.avatar, 'sender.avatar', problems);
}

/** The documented citation fields, checked loosely: present ones must be scalars; others pass. */
function checkCitations(value: unknown, problems: Problems): void {
  if (value === undefined) {
    return;
  }
  if (!Array.isArray(value)) {
    problems.push('citations must be an array');

    return;
  }
  value.forEach((citation: unknown, index) => {
    const path = `citations.${index}`;

    if (!isPlain(citation)) {
      problems.push(`${path} must be an object`);

      return;
    }
    checkScalar(citation.id, `${path}.id`, problems);
    for (const key of ['filename', 'file', 'fileType', 'status', 'document']) {
      checkString(citation[key], `${path}.${key}`, problems);
    }
    checkScalar(citation.size, `${path}.size`, problems);
    checkTimestamp(citation.createdAt, `${path}.createdAt`, problems);
  });
}

/**
 * Checks a parsed body against MaiAgent's message payload as it is actually
 * sent: the spec contradicts itself on several fields, so every documented
 * reading is accepted (see `shared` notes in the README), and unknown fields
 * pass untouched. Returns one sentence per problem, each starting with the
 * field's full path (`sender.id`, `citations.1.size`).
 *
 * Hand-written rather than a class-validator DTO: this runs on every delivery,
 * and it costs a fraction of building and validating class instances.
 */
export function findPayloadProblems(body: Plain): Problems {
  const problems: Problems = [];

  checkId(body.id, 'id', problems, true);
  checkId(body.conversation, 'conversation', problems, true);
  checkSender(body.sender, problems);
  checkString(body.type, 'type', problems, MAX_TYPE_LENGTH);
  checkString(body.content, 'content', problems);
  if (body.feedback !== undefined && body.feedback !== null && !isPlain(body.feedback)) {
    problems.push('feedback must be null or an object');
  }
  checkTimestamp(body.created_at, 'created_at', problems);
  checkTimestamp(body.createdAt, 'createdAt', problems);
  if (body.attachments !== undefined && !Array.isArray(body.attachments)) {
    problems.push('attachments must be an array');
  }
  checkCitations(body.citations, problems);

  return problems;
}
