import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

import { Environment } from '../../src/infra/config';

const ROOT = join(__dirname, '..', '..');

/**
 * The service's worker role in a separate OS process, so a test can kill it
 * with SIGKILL in the middle of a job, as a crash or an OOM kill would.
 */
export class WorkerProcess {
  private constructor(private readonly child: ChildProcess) {}

  static start(env: Environment): WorkerProcess {
    const child = spawn(
      process.execPath,
      ['-r', join(ROOT, 'test/support/ts-register.js'), join(ROOT, 'src/main.ts'), 'worker'],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, ...env },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );

    return new WorkerProcess(child);
  }

  /** Runs the role to completion, e.g. a start-up that must fail; resolves with its exit code and stderr. */
  static async runToExit(
    env: Environment,
    timeoutMs = 30_000,
  ): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(
      process.execPath,
      ['-r', join(ROOT, 'test/support/ts-register.js'), join(ROOT, 'src/main.ts'), 'worker'],
      { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';

    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);

    try {
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

      return { code, stderr };
    } finally {
      clearTimeout(timer);
    }
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return;
    }
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}
