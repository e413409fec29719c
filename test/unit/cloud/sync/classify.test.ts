import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { classifyError, classifyHttp } from '../../../../src/cloud/sync/classify.js';

const none = new Headers();
const now = Date.parse('2025-01-01T00:00:00Z');

describe('classifyHttp', () => {
  it.each([200, 201, 202, 204, 299])('%i is delivered', (status) => {
    expect(classifyHttp(status, none, 'whatever, not parsed', now)).toEqual({ kind: 'delivered' });
  });

  it.each([408, 425, 429, 500, 502, 503, 504, 599])('%i is a retry', (status) => {
    expect(classifyHttp(status, none, '', now)).toEqual({ kind: 'retry', reason: `HTTP ${status}`, retryAfterMs: undefined });
  });

  it('carries Retry-After, seconds or date', () => {
    expect(classifyHttp(429, new Headers({ 'retry-after': '7' }), 'slow down', now)).toEqual({ kind: 'retry', reason: 'HTTP 429: slow down', retryAfterMs: 7000 });
    expect(classifyHttp(503, new Headers({ 'Retry-After': 'Wed, 01 Jan 2025 00:01:00 GMT' }), '', now)).toMatchObject({ retryAfterMs: 60_000 });
    expect(classifyHttp(503, new Headers({ 'retry-after': 'later' }), '', now)).toMatchObject({ kind: 'retry', retryAfterMs: undefined });
  });

  it.each([401, 403])('%i pauses the destination', (status) => {
    expect(classifyHttp(status, none, 'bad signature', now)).toEqual({ kind: 'unauthorised', reason: `HTTP ${status}: bad signature` });
  });

  it.each([400, 404, 405, 409, 410, 413, 415, 422, 451, 301, 302, 307, 100, 600, 0])('%i is dead, with the reason', (status) => {
    expect(classifyHttp(status, none, 'no such thing', now)).toEqual({ kind: 'dead', reason: `HTTP ${status}: no such thing` });
  });

  it('keeps the first 200 characters of the body, on one line', () => {
    const body = `line one\n\tline two ${'x'.repeat(300)}`;
    const outcome = classifyHttp(422, none, body, now);
    expect(outcome).toEqual({ kind: 'dead', reason: `HTTP 422: line one line two ${'x'.repeat(200 - 'line one\n\tline two '.length)}` });
  });
});

function coded(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyError', () => {
  it('names the socket error behind fetch failed', () => {
    expect(classifyError(new TypeError('fetch failed', { cause: coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9') }))).toEqual({
      kind: 'retry',
      reason: 'network: ECONNREFUSED',
    });
    expect(classifyError(new TypeError('fetch failed', { cause: coded('ENOTFOUND') }))).toEqual({ kind: 'retry', reason: 'network: ENOTFOUND' });
    expect(classifyError(new TypeError('fetch failed', { cause: coded('UND_ERR_SOCKET') }))).toEqual({ kind: 'retry', reason: 'network: UND_ERR_SOCKET' });
    expect(classifyError(coded('ECONNRESET'))).toEqual({ kind: 'retry', reason: 'network: ECONNRESET' });
  });

  it('calls timeouts timeouts', () => {
    expect(classifyError(new TypeError('fetch failed', { cause: coded('UND_ERR_CONNECT_TIMEOUT') }))).toEqual({ kind: 'retry', reason: 'timeout: UND_ERR_CONNECT_TIMEOUT' });
    expect(classifyError(coded('ETIMEDOUT'))).toEqual({ kind: 'retry', reason: 'timeout: ETIMEDOUT' });
    expect(classifyError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toEqual({ kind: 'retry', reason: 'timeout: no answer in time' });
  });

  it('is a retry for an abort', () => {
    expect(classifyError(new DOMException('This operation was aborted', 'AbortError'))).toEqual({ kind: 'retry', reason: 'aborted' });
  });

  it('is a retry for fetch failed without a cause and for anything unknown', () => {
    expect(classifyError(new TypeError('fetch failed'))).toEqual({ kind: 'retry', reason: 'network: fetch failed' });
    expect(classifyError(new RangeError('odd'))).toEqual({ kind: 'retry', reason: 'unexpected RangeError: odd' });
    expect(classifyError('a string')).toEqual({ kind: 'retry', reason: 'unexpected throw: a string' });
  });

  it('survives a cause cycle', () => {
    const a: Error & { cause?: unknown } = new Error('a');
    a.cause = a;
    expect(classifyError(a)).toEqual({ kind: 'retry', reason: 'unexpected Error: a' });
  });

  it('finds the real errors from undici', async () => {
    const url = await closedPortUrl();
    const refused = await fetch(url).catch((err: unknown) => err);
    expect(classifyError(refused)).toEqual({ kind: 'retry', reason: 'network: ECONNREFUSED' });
    const aborted = await fetch(url, { signal: AbortSignal.abort() }).catch((err: unknown) => err);
    expect(classifyError(aborted)).toEqual({ kind: 'retry', reason: 'aborted' });
  });
});

/** A loopback port that was just free: nothing listens there now. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}
