import { randomBytes } from 'node:crypto';
import { ServerResponse } from 'node:http';

import { plainToInstance } from 'class-transformer';
import { Webhook } from 'standardwebhooks';

import { PrepareTools } from '../../src/actions/action-handler';
import { HttpActionHandler } from '../../src/actions/http/http-action.handler';
import { HttpSettings } from '../../src/actions/http/http-settings.dto';
import { closeOutboundHttp } from '../../src/infra/http/outbound-http';
import {
  actionMessage,
  actionRunContext,
  failureOf,
  prepareTools,
} from '../support/action-run-factory';
import {
  LocalHttpServer,
  RecordedRequest,
  Responder,
  startHttpServer,
} from '../support/local-http-server';

const handler = new HttpActionHandler();

let server: LocalHttpServer;
let respond: Responder;

function prepared(settings: Partial<HttpSettings>, tools: Partial<PrepareTools> = {}) {
  return handler.prepare(
    plainToInstance(HttpSettings, { url: server.url, ...settings }),
    prepareTools(tools),
  );
}

beforeAll(async () => {
  // Each test sets `respond`; the server stays up for the whole file.
  server = await startHttpServer((request, response) => respond(request, response));
});

beforeEach(() => {
  server.requests.length = 0;
  respond = (_request, response) => {
    response.writeHead(202);
    response.end();
  };
});

afterAll(async () => {
  await server.close();
  await closeOutboundHttp();
});

function only(): RecordedRequest {
  expect(server.requests).toHaveLength(1);

  return server.requests[0];
}

describe('http action', () => {
  it('sends the original delivery body byte for byte, as JSON', async () => {
    // Odd spacing, key order and non-ASCII survive only if nothing re-serialises the body.
    const rawBody = Buffer.from(
      '{ "id" :"m-1",\n\t"content":"價格 \\u00e9 €", "z":1 , "a":[ ] }\n',
    );
    const context = actionRunContext({ message: actionMessage({ id: 'm-1', rawBody }) });

    const result = await handler.execute(prepared({}), context);

    const received = only();

    expect(result).toEqual({ status: 202 });
    expect(received.method).toBe('POST');
    expect(received.body.equals(rawBody)).toBe(true);
    expect(received.headers['content-type']).toBe('application/json');
    expect(received.headers['x-maiagent-message-id']).toBe('m-1');
    expect(received.headers['idempotency-key']).toBe(context.idempotencyKey);
  });

  it('sends the same Idempotency-Key on every attempt of a run', async () => {
    const first = actionRunContext({ attempt: 1 });
    const second = actionRunContext({ ...first, attempt: 2 });
    const action = prepared({});

    await handler.execute(action, first);
    await handler.execute(action, second);

    const keys = server.requests.map((request) => request.headers['idempotency-key']);

    expect(keys).toEqual([first.idempotencyKey, first.idempotencyKey]);
  });

  it('renders a body template with its content type, method and headers', async () => {
    const context = actionRunContext({
      message: actionMessage({
        content: 'Need a "quote"',
        sender: { id: 's-9', name: 'Lin', avatar: null },
      }),
    });
    const action = prepared({
      method: 'PUT',
      headers: { Authorization: 'Bearer downstream-token', 'X-Team': 'sales' },
      bodyTemplate: '{"text": {{ content | json }}, "from": {{ sender.name | json }}}',
      contentType: 'application/vnd.example+json',
    });

    await handler.execute(action, context);

    const received = only();

    expect(received.method).toBe('PUT');
    expect(received.headers['content-type']).toBe('application/vnd.example+json');
    expect(received.headers.authorization).toBe('Bearer downstream-token');
    expect(received.headers['x-team']).toBe('sales');
    expect(JSON.parse(received.body.toString('utf8'))).toEqual({
      text: 'Need a "quote"',
      from: 'Lin',
    });
  });

  it('signs the request so the receiver can verify it with the Standard Webhooks library', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const context = actionRunContext();

    await handler.execute(prepared({ signingSecret: secret }), context);

    const received = only();
    const headers = {
      'webhook-id': String(received.headers['webhook-id']),
      'webhook-timestamp': String(received.headers['webhook-timestamp']),
      'webhook-signature': String(received.headers['webhook-signature']),
    };

    expect(headers['webhook-id']).toBe(context.idempotencyKey);
    expect(new Webhook(secret).verify(received.body.toString('utf8'), headers)).toEqual(
      JSON.parse(context.message.rawBody.toString('utf8')),
    );
    // A different secret must not verify, or the check above proves nothing.
    expect(() =>
      new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(
        received.body.toString('utf8'),
        headers,
      ),
    ).toThrow();
  });

  it('sends no body on GET', async () => {
    await handler.execute(prepared({ method: 'GET' }), actionRunContext());

    const received = only();

    expect(received.method).toBe('GET');
    expect(received.body).toHaveLength(0);
    expect(received.headers['content-type']).toBeUndefined();
  });

  describe('downstream answers', () => {
    function answer(status: number, headers: Record<string, string> = {}): Responder {
      return (_request, response: ServerResponse) => {
        response.writeHead(status, headers);
        response.end('{"error":"nope"}');
      };
    }

    it('treats 503 with Retry-After: 2 as retryable after 2000 ms', async () => {
      respond = answer(503, { 'retry-after': '2' });

      const failure = await failureOf(handler.execute(prepared({}), actionRunContext()));

      expect(failure).toMatchObject({
        code: 'http_503',
        isRetryable: true,
        status: 503,
        retryAfterMs: 2000,
      });
    });

    it('treats 429 as retryable', async () => {
      respond = answer(429);

      const failure = await failureOf(handler.execute(prepared({}), actionRunContext()));

      expect(failure).toMatchObject({ code: 'http_429', isRetryable: true, status: 429 });
    });

    it('treats 400 as permanent, with the status', async () => {
      respond = answer(400);

      const failure = await failureOf(handler.execute(prepared({}), actionRunContext()));

      expect(failure).toMatchObject({ code: 'http_400', isRetryable: false, status: 400 });
    });

    it('treats 501 as permanent', async () => {
      respond = answer(501);

      const failure = await failureOf(handler.execute(prepared({}), actionRunContext()));

      expect(failure).toMatchObject({ code: 'http_501', isRetryable: false, status: 501 });
    });

    it('treats a redirect as permanent and does not follow it', async () => {
      respond = answer(307, { location: `${server.url}/moved` });

      const failure = await failureOf(handler.execute(prepared({}), actionRunContext()));

      expect(failure).toMatchObject({ code: 'http_307', isRetryable: false });
      expect(server.requests.map((request) => request.url)).toEqual(['/']);
    });
  });

  it('refuses a loopback URL when the actions file does not allow private networks', async () => {
    const connectionsBefore = server.connections();
    const action = prepared({}, { allowPrivateNetworks: false });

    const failure = await failureOf(handler.execute(action, actionRunContext()));

    expect(failure).toMatchObject({ code: 'ssrf_blocked', isRetryable: false });
    expect(server.connections()).toBe(connectionsBefore);
  });
});
