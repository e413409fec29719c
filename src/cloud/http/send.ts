/**
 * The one HTTP exchange every vendor client and destination makes: fetch
 * (Node's undici, keep-alive by default, so a backlog reuses one connection),
 * a per-attempt timeout joined to the caller's signal, redirects answered and
 * not followed, and a bounded read of the answer.
 */

export const USER_AGENT = 'cabinet-kiosk';
/** Read at most this much of an answer: enough for any vendor reply we parse, bounded against a hostile endpoint. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface HttpRequest {
  url: URL | string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  /** The caller's cancel (the drainer's stop); combined with the timeout. */
  signal?: AbortSignal;
  /** One exchange's limit, body included. */
  timeoutMs: number;
  /** Default MAX_RESPONSE_BYTES. */
  maxResponseBytes?: number;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** Epoch ms when the request left and when the answer's headers arrived: the clock-offset tracker's window. */
  sentAt: number;
  receivedAt: number;
}

/**
 * Throws what fetch throws (network errors, `TimeoutError`/`AbortError`), for
 * sync/classify.ts `classifyError`. A body that breaks after the status line
 * arrived is read as far as it got: the status is the answer.
 */
export async function httpSend(request: HttpRequest, now: () => number = Date.now): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const sentAt = now();
  const response = await fetch(request.url, {
    method: request.method,
    headers: { 'user-agent': USER_AGENT, ...request.headers },
    ...(request.body === undefined ? {} : { body: request.body }),
    // A signed request re-sent to wherever a redirect points is not ours to decide.
    redirect: 'manual',
    signal: request.signal === undefined ? timeout : AbortSignal.any([request.signal, timeout]),
  });
  const receivedAt = now();
  const text = await readBounded(response, request.maxResponseBytes ?? MAX_RESPONSE_BYTES).catch(() => '');
  return { status: response.status, headers: response.headers, text, sentAt, receivedAt };
}

/** The first `limit` bytes of the body as UTF-8; the rest is cancelled (undici then drops that connection). */
export async function readBounded(response: Response, limit: number): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = limit - total;
    text += decoder.decode(value.byteLength > room ? value.subarray(0, room) : value, { stream: true });
    total += Math.min(room, value.byteLength);
    if (total >= limit) {
      await reader.cancel();
      break;
    }
  }
  return text + decoder.decode();
}

export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** Parses an http(s) URL from configuration. Throws RangeError naming `what` (never echoing the URL: it may carry a token). */
export function httpUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RangeError(`${what}: url is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RangeError(`${what}: url must be http(s)`);
  return url;
}
