export interface WebhookResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Time from sending the request to having read the whole answer. */
  elapsedMs: number;
}

export interface PostOptions {
  /** Appended to `/maiagent/webhook`, e.g. `/<token>` or `?token=...`. */
  suffix?: string;
  headers?: Record<string, string>;
}

/**
 * POSTs one delivery to the webhook. An object body is serialised as JSON; a
 * string or Buffer is sent as is. The content type defaults to JSON.
 */
export async function postWebhook(
  baseUrl: string,
  body: unknown,
  { suffix = '', headers = {} }: PostOptions = {},
): Promise<WebhookResponse> {
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const started = Date.now();
  const response = await fetch(`${baseUrl}/maiagent/webhook${suffix}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: payload,
  });
  const text = await response.text();

  return {
    status: response.status,
    headers: response.headers,
    text,
    elapsedMs: Date.now() - started,
  };
}

/** The exact body MaiAgent expects with a 200. */
export const ACCEPTED_BODY = '{"message":"Webhook received successfully"}';

/** Error bodies must never carry a stack trace or source paths. */
export function looksLikeStackTrace(text: string): boolean {
  return /\bat .+:\d+:\d+|\.ts:\d+|"stack"|node_modules/.test(text);
}
