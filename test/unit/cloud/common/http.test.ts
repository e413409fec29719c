import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSend, keepAliveAgent } from '../../../../src/cloud/common/http.js';
import { classifyError } from '../../../../src/cloud/sync/classify.js';

describe('httpSend over node:http (real server on 127.0.0.1)', () => {
  let server: Server;
  let base: string;
  let connections = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      req.resume();
      req.on('end', () => {
        if (url.pathname === '/redirect') res.writeHead(302, { location: '/elsewhere' }).end('moved');
        else if (url.pathname === '/big') res.writeHead(200).end('x'.repeat(10_000));
        else if (url.pathname === '/stall') res.writeHead(200).write('partial'); // never ends
        else if (url.pathname === '/silent') return; // never answers
        else res.writeHead(200, { date: new Date(0).toUTCString() }).end('ok');
      });
    });
    server.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('answers a redirect instead of following it: a signed request is never re-sent elsewhere', async () => {
    const answer = await httpSend({ url: `${base}/redirect`, method: 'POST', body: 'signed', timeoutMs: 2000 });
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe('/elsewhere');
  });

  it('reads at most maxResponseBytes of an answer', async () => {
    const answer = await httpSend({ url: `${base}/big`, method: 'GET', timeoutMs: 2000, maxResponseBytes: 100 });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('x'.repeat(100));
  });

  it('a body that stalls after the status line: the status is the answer, within the timeout', async () => {
    const answer = await httpSend({ url: `${base}/stall`, method: 'GET', timeoutMs: 200 });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
  });

  it('no answer within the timeout is a TimeoutError, which the drainer retries', async () => {
    const err = await httpSend({ url: `${base}/silent`, method: 'POST', body: '{}', timeoutMs: 150 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'TimeoutError' });
    expect(classifyError(err)).toMatchObject({ kind: 'retry' });
  });

  it("the caller's abort ends the exchange with its reason", async () => {
    const stop = new AbortController();
    const pending = httpSend({ url: `${base}/silent`, method: 'POST', body: '{}', timeoutMs: 5000, signal: stop.signal }).catch((e: unknown) => e);
    stop.abort(new DOMException('sync stopped', 'AbortError'));
    expect(await pending).toMatchObject({ name: 'AbortError' });
  });

  it('a refused connection is a network error the drainer retries', async () => {
    const err = await httpSend({ url: 'http://127.0.0.1:1/', method: 'GET', timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(classifyError(err)).toMatchObject({ kind: 'retry' });
  });

  it('a destination agent keeps one socket for a run of requests', async () => {
    const agent = keepAliveAgent(new URL(base));
    const before = connections;
    for (let i = 0; i < 25; i++) expect((await httpSend({ url: `${base}/ok`, method: 'POST', body: String(i), timeoutMs: 2000, agent })).text).toBe('ok');
    expect(connections - before).toBe(1);
    agent.destroy();
  });
});
