import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Socket } from 'node:net';

import { ActionError } from '../../actions/action-error';
import { LocalHttpServer, startHttpServer } from '../../../test/support/local-http-server';
import { waitFor } from '../../../test/support/wait-for';
import {
  OutboundRequest,
  assertSuccess,
  closeOutboundHttp,
  sendRequest,
  statusError,
  toActionError,
} from './outbound-http';
import { failureOf } from '../../../test/support/action-run-factory';

function outboundRequest(overrides: Partial<OutboundRequest> = {}): OutboundRequest {
  return {
    method: 'GET',
    url: 'http://127.0.0.1:9/',
    timeoutMs: 5_000,
    allowPrivateNetworks: false,
    ...overrides,
  };
}

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/**
 * Counts client sockets Node creates while `run` is in progress, and stops
 * each one before it connects: should the guard ever regress, these tests
 * must still send nothing to 10.0.0.1 or the metadata address.
 */
async function socketsCreatedDuring(run: () => Promise<unknown>): Promise<number> {
  let created = 0;
  const onSocket = (message: unknown): void => {
    const { socket } = message as { socket: Socket };

    created += 1;
    socket.connect = function (this: Socket) {
      process.nextTick(() => this.destroy(new Error('connection stopped by the test')));

      return this;
    };
  };

  subscribe('net.client.socket', onSocket);
  try {
    await run();
  } finally {
    unsubscribe('net.client.socket', onSocket);
  }

  return created;
}

describe('sendRequest', () => {
  let server: LocalHttpServer;

  beforeEach(async () => {
    server = await startHttpServer((_request, response) => {
      response.end('hello');
    });
  });

  afterEach(async () => {
    await server.close();
  });

  afterAll(async () => {
    await closeOutboundHttp();
  });

  describe('with private networks refused', () => {
    it.each([
      ['127.0.0.1', '127.0.0.1'],
      ['[::1]', '::1'],
      ['10.0.0.1', '10.0.0.1'],
      ['169.254.169.254', '169.254.169.254'],
      ['[::ffff:a9fe:a9fe]', '::ffff:a9fe:a9fe'],
    ])('refuses literal %s before a socket exists', async (host, address) => {
      // The local server's port is used for every host, so a leak to loopback would be counted.
      let failure: ActionError | undefined;
      const sockets = await socketsCreatedDuring(async () => {
        failure = await failureOf(
          sendRequest(outboundRequest({ url: `http://${host}:${server.port}/latest/meta-data` })),
        );
      });

      expect(failure).toMatchObject({ code: 'ssrf_blocked', isRetryable: false });
      expect(failure?.message).toContain(address);
      expect(sockets).toBe(0);
      expect(server.connections()).toBe(0);
    });

    it('refuses localhost at connect time, after resolving it', async () => {
      const failure = await failureOf(
        sendRequest(outboundRequest({ url: `http://localhost:${server.port}/` })),
      );

      expect(failure).toMatchObject({ code: 'ssrf_blocked', isRetryable: false });
      expect(failure.message).toContain('localhost');
      expect(failure.message).toMatch(/127\.0\.0\.1|::1/);
      expect(server.connections()).toBe(0);
      expect(server.requests).toHaveLength(0);
    });
  });

  describe('with private networks allowed', () => {
    it.each(['127.0.0.1', 'localhost'])('reaches the server through %s', async (host) => {
      const response = await sendRequest(
        outboundRequest({ url: `http://${host}:${server.port}/ping`, allowPrivateNetworks: true }),
      );

      expect(response.status).toBe(200);
      expect(response.body.toString()).toBe('hello');
      expect(server.requests.map((request) => request.url)).toEqual(['/ping']);
    });
  });

  it('sends method, headers and body unchanged', async () => {
    const body = Buffer.from([0x7b, 0x22, 0xe2, 0x82, 0xac, 0x22, 0x7d, 0x0a]);

    await sendRequest(
      outboundRequest({
        method: 'PUT',
        url: `${server.url}/things/1?x=1`,
        headers: { 'content-type': 'application/octet-stream', 'x-custom': 'yes' },
        body,
        allowPrivateNetworks: true,
      }),
    );

    const [received] = server.requests;

    expect(received.method).toBe('PUT');
    expect(received.url).toBe('/things/1?x=1');
    expect(received.headers['x-custom']).toBe('yes');
    expect(received.body.equals(body)).toBe(true);
  });

  it('does not follow a redirect, and the redirect target receives nothing', async () => {
    const target = await startHttpServer((_request, response) => {
      response.end('target');
    });

    await server.close();
    server = await startHttpServer((_request, response) => {
      response.writeHead(302, { location: `${target.url}/elsewhere` });
      response.end();
    });

    try {
      const response = await sendRequest(
        outboundRequest({ url: `${server.url}/`, allowPrivateNetworks: true }),
      );

      expect(response.status).toBe(302);
      expect(thrownBy(() => assertSuccess(response))).toMatchObject({
        code: 'http_302',
        isRetryable: false,
        status: 302,
      });
      expect(target.connections()).toBe(0);
    } finally {
      await target.close();
    }
  });

  describe('response size cap', () => {
    async function serve(bytes: number, isChunked: boolean): Promise<void> {
      await server.close();
      server = await startHttpServer((_request, response) => {
        if (!isChunked) {
          response.setHeader('content-length', bytes);
        }
        // Two writes, so a chunked body arrives in pieces that must be summed.
        response.write(Buffer.alloc(Math.floor(bytes / 2), 0x61));
        response.end(Buffer.alloc(bytes - Math.floor(bytes / 2), 0x62));
      });
    }

    it.each([
      ['announced length', false],
      ['chunked body', true],
    ])('fails a response over the cap (%s) as permanent', async (_label, isChunked) => {
      await serve(2048, isChunked);

      const failure = await failureOf(
        sendRequest(
          outboundRequest({ url: server.url, maxResponseBytes: 1024, allowPrivateNetworks: true }),
        ),
      );

      expect(failure).toMatchObject({ code: 'response_too_large', isRetryable: false });
    });

    it('accepts a response exactly at the cap', async () => {
      await serve(1024, true);

      const response = await sendRequest(
        outboundRequest({ url: server.url, maxResponseBytes: 1024, allowPrivateNetworks: true }),
      );

      expect(response.body).toHaveLength(1024);
    });
  });

  it('fails a server that never answers as a retryable timeout', async () => {
    await server.close();
    // Never responds; close() ends the held connection.
    server = await startHttpServer(() => undefined);

    const started = Date.now();
    const failure = await failureOf(
      sendRequest(outboundRequest({ url: server.url, timeoutMs: 300, allowPrivateNetworks: true })),
    );

    expect(failure).toMatchObject({ code: 'timeout', isRetryable: true });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(server.requests).toHaveLength(1);
  });

  it("ends the call as a retryable timeout when the run's signal aborts", async () => {
    await server.close();
    server = await startHttpServer(() => undefined);

    const controller = new AbortController();
    const pending = sendRequest(
      outboundRequest({
        url: server.url,
        timeoutMs: 30_000,
        allowPrivateNetworks: true,
        signal: controller.signal,
      }),
    );

    // Abort only once the request has surely reached the server.
    await waitFor('request received', () => server.requests.length === 1);
    controller.abort();

    expect(await failureOf(pending)).toMatchObject({ code: 'timeout', isRetryable: true });
  });

  it('fails a refused connection as a retryable network error', async () => {
    const port = server.port;

    await server.close();
    server = await startHttpServer((_request, response) => {
      response.end();
    });

    const failure = await failureOf(
      sendRequest(
        outboundRequest({ url: `http://127.0.0.1:${port}/`, allowPrivateNetworks: true }),
      ),
    );

    expect(failure).toMatchObject({ code: 'network_error', isRetryable: true });
  });

  it('refuses a non-HTTP URL as permanent', async () => {
    const failure = await failureOf(sendRequest(outboundRequest({ url: 'file:///etc/passwd' })));

    expect(failure).toMatchObject({ code: 'invalid_request', isRetryable: false });
  });
});

describe('statusError', () => {
  function response(status: number, headers: Record<string, string> = {}) {
    return { status, headers, body: Buffer.from('') };
  }

  it.each([200, 201, 204, 299])('lets %i through assertSuccess', (status) => {
    expect(assertSuccess(response(status)).status).toBe(status);
  });

  it('makes a retryable status carry Retry-After', () => {
    expect(statusError(response(503, { 'retry-after': '2' }))).toMatchObject({
      code: 'http_503',
      isRetryable: true,
      status: 503,
      retryAfterMs: 2000,
    });
  });

  it.each([
    [429, true],
    [408, true],
    [500, true],
    [502, true],
    [400, false],
    [404, false],
    [422, false],
    [501, false],
    [505, false],
    [301, false],
    [304, false],
  ])('classifies %i as retryable=%s', (status, isRetryable) => {
    expect(statusError(response(status))).toMatchObject({
      code: `http_${status}`,
      isRetryable,
      status,
    });
  });

  it('quotes the start of the response body in the message', () => {
    const error = statusError({
      status: 400,
      headers: {},
      body: Buffer.from('{"message":"Property values were not valid"}'),
    });

    expect(error.message).toContain('Property values were not valid');
  });
});

describe('toActionError', () => {
  function coded(code: string): Error {
    return Object.assign(new Error(code), { code });
  }

  it.each([
    ['ECONNRESET', 'network_error', true],
    ['EAI_AGAIN', 'network_error', true],
    ['UND_ERR_SOCKET', 'network_error', true],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout', true],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout', true],
    ['UND_ERR_INVALID_ARG', 'invalid_request', false],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls_error', false],
    ['SOMETHING_NEW', 'network_error', true],
  ])('classifies %s as %s', (code, expected, isRetryable) => {
    expect(toActionError(coded(code))).toMatchObject({ code: expected, isRetryable });
  });

  it('reads the code of a failed multi-address connect', () => {
    const error = new AggregateError([coded('ECONNREFUSED'), coded('ENETUNREACH')], 'failed');

    expect(toActionError(error)).toMatchObject({ code: 'network_error', isRetryable: true });
  });

  it('returns an ActionError unchanged', () => {
    const original = ActionError.permanent('ssrf_blocked', 'no');

    expect(toActionError(original)).toBe(original);
  });
});
