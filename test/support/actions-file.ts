import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { stringify } from 'yaml';

/** Writes an actions file to a fresh temporary folder and returns its path. */
export function writeActionsFile(content: Record<string, unknown> | string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'maiagent-actions-')), 'actions.yml');

  writeFileSync(file, typeof content === 'string' ? content : stringify(content));

  return file;
}

/** A fast retry policy for tests: small delays, no jitter, overridable. */
export function fastRetry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { attempts: 3, backoff: 'fixed', delayMs: 50, jitter: 0, timeoutMs: 5000, ...overrides };
}
