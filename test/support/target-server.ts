import { IncomingHttpHeaders, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  receivedAt: number;
}

/** What the server answers to one request; `hold` keeps the request open until released. */
export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  hold?: Promise<void>;
}

/**
 * A real HTTP server standing in for an outbound target. It records every
 * request, answers from a script (then 200), and applies each distinct
 * `Idempotency-Key` once, as a well-behaved downstream would.
 */
export class TargetServer {
  readonly requests: ReceivedRequest[] = [];
  readonly appliedKeys = new Set<string>();
  private readonly script: ScriptedResponse[] = [];
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];

      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const received: ReceivedRequest = {
          method: request.method ?? '',
          path: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks),
          receivedAt: Date.now(),
        };
        const next = this.script.shift() ?? { status: 200, body: '{"ok":true}' };

        this.requests.push(received);
        void (next.hold ?? Promise.resolve()).then(() => {
          const key = request.headers['idempotency-key'];

          if (next.status >= 200 && next.status < 300 && typeof key === 'string') {
            this.appliedKeys.add(key);
          }
          response.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
          response.end(next.body ?? '{}');
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));

    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Queues responses for the next requests, in order. */
  respondWith(...responses: ScriptedResponse[]): void {
    this.script.push(...responses);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** A promise with its resolver, to hold a response until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));

  return { promise, open };
}
