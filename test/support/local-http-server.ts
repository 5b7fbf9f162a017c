import { IncomingHttpHeaders, IncomingMessage, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type Responder = (
  request: RecordedRequest,
  response: ServerResponse,
) => void | Promise<void>;

export interface LocalHttpServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`, without a trailing slash. */
  url: string;
  port: number;
  /** Every request received, in arrival order, with its body fully read. */
  requests: RecordedRequest[];
  /** TCP connections accepted, whether or not a request followed. */
  connections(): number;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 and a random port that records what it receives. */
export async function startHttpServer(respond: Responder): Promise<LocalHttpServer> {
  const requests: RecordedRequest[] = [];
  let connections = 0;

  const server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    void record(incoming, response);
  });

  async function record(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const recorded: RecordedRequest = {
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        headers: incoming.headers,
        body: await readBody(incoming),
      };

      requests.push(recorded);
      await respond(recorded, response);
    } catch (error) {
      // A broken responder shows up as an odd status in the test that uses it.
      if (!response.headersSent) {
        response.statusCode = 599;
      }
      response.end(String(error));
    }
  }

  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    connections: () => connections,
    close: async () => {
      // Held-open requests (timeout tests) would otherwise keep close() waiting.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

async function readBody(incoming: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];

  for await (const chunk of incoming) {
    chunks.push(chunk as Buffer);
  }

  return Buffer.concat(chunks);
}

/** Answers with a JSON body. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);

  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
