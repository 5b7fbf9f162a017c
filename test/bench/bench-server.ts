/** One server under load, in its own process so that its RSS is its own. */
export type ServerKind = 'ours' | 'baseline';

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Child process entry: `node bench-server.js <ours|baseline> <database> <queue prefix>`.
 * Each kind's module is loaded lazily so the baseline process never loads
 * NestJS or TypeORM and its memory figure is the naive server's alone.
 */
async function main(): Promise<void> {
  const [kind, database, queuePrefix] = process.argv.slice(2);
  let server: RunningServer;

  if (kind === 'ours') {
    const { serveOurs } = await import('./ours-server');

    server = await serveOurs(database, queuePrefix);
  } else if (kind === 'baseline') {
    const { serveBaseline } = await import('./baseline-server');

    server = await serveBaseline(database, queuePrefix);
  } else {
    throw new Error(`unknown server kind "${kind}"`);
  }

  process.on('message', (message) => {
    if (message === 'stop') {
      void server.close().finally(() => process.exit(0));
    }
  });
  // The parent died: nothing is left to serve.
  process.on('disconnect', () => process.exit(0));
  process.send?.({ port: server.port });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
