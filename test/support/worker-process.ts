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
