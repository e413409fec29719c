import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReceiverError } from '../../../../src/cloud/receiver/errors.js';
import { callbackRoutes } from '../../../../src/cloud/receiver/routes.js';
import { CallbackReceiver, type CallbackReceiverOptions, type ReceivedCallback } from '../../../../src/cloud/receiver/server.js';
import type { Logger } from '../../../../src/shared/logger.js';
import { DS_CALLBACK, DS_TOKEN, formBody, MemoryInbox, NOW, ORDER_PAID_BIZ, rawExchange, rawRequest, YOPOINT_SECRET, yopointForm, yopointOptions } from './helpers.js';

const OK_BODY = '{"error_code":0,"error_msg":"SUCCESS","data":{}}';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Collects every log line, to prove what never reaches a log. */
function capturingLogger(lines: unknown[], onLine?: (line: string) => void): Logger {
  const log = (level: string) => (obj: object | string, msg?: string) => {
    lines.push({ level, obj, msg });
    onLine?.(JSON.stringify({ level, obj, msg }));
  };
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => logger };
  return logger;
}

interface Harness {
  receiver: CallbackReceiver;
  inbox: MemoryInbox;
  received: ReceivedCallback[];
  logs: unknown[];
  url: string;
}

async function startReceiver(
  options: Partial<CallbackReceiverOptions> = {},
  onCallback?: (r: ReceivedCallback) => void | Promise<void>,
  onLog?: (line: string) => void,
): Promise<Harness> {
  const inbox = new MemoryInbox();
  const received: ReceivedCallback[] = [];
  const logs: unknown[] = [];
  const receiver = new CallbackReceiver(
    { port: 0, routes: callbackRoutes({ yopoint: yopointOptions, dingshang: { urlToken: DS_TOKEN } }), ...options },
    {
      inbox,
      logger: capturingLogger(logs, onLog),
      now: () => NOW,
      onCallback: (r) => {
        received.push(r);
        return onCallback?.(r);
      },
    },
  );
  const { url } = await receiver.start();
  return { receiver, inbox, received, logs, url };
}

let h: Harness;
afterEach(async () => {
  await h.receiver.stop();
});

describe('CallbackReceiver: Yopoint notifications over HTTP', () => {
  beforeEach(async () => {
    h = await startReceiver();
  });

  const notify = (body: string): Promise<Response> => fetch(`${h.url}/yopoint/notify`, { method: 'POST', headers: FORM, body });

  it('a valid notification → 200 with the §5 answer, one inbox record, the handler called once', async () => {
    const res = await notify(formBody(yopointForm('notify.cabinet.order.simple', ORDER_PAID_BIZ)));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.text()).toBe(OK_BODY);
    expect([...h.inbox.rows.keys()]).toEqual(['yopoint:yopoint:notify.cabinet.order.simple:VI231228102118586561']);
    const row = h.inbox.rows.get('yopoint:yopoint:notify.cabinet.order.simple:VI231228102118586561');
    expect(row?.command).toEqual({ commandId: 'yopoint:notify.cabinet.order.simple:VI231228102118586561', source: 'yopoint', type: 'order-paid', receivedAt: NOW });
    expect(row?.result).toMatchObject({ event: { type: 'order-paid', orderRef: 'VI231228102118586561' } });
    expect(h.received).toHaveLength(1);
    expect(h.received[0]?.command.commandId).toBe('yopoint:notify.cabinet.order.simple:VI231228102118586561');
  });

  it('the same notification again → the same answer, no second record, the handler not called again', async () => {
    const body = formBody(yopointForm('notify.cabinet.order.simple', ORDER_PAID_BIZ));
    const first = await notify(body);
    const again = await notify(body);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(await again.text()).toBe(await first.text());
    expect(h.inbox.calls).toBe(2);
    expect(h.inbox.rows.size).toBe(1);
    expect(h.received).toHaveLength(1);
  });

  it('a bad signature → 401 in the §5 shape, inbox untouched', async () => {
    const res = await notify(formBody(yopointForm('notify.cabinet.order.simple', ORDER_PAID_BIZ, { secret: 'not-the-secret' })));
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('{"error_code":-1,"error_msg":"ERR_SIGN","data":{}}');
    expect(h.inbox.calls).toBe(0);
    expect(h.received).toHaveLength(0);
  });

  it('a malformed form → 400, inbox untouched', async () => {
    const res = await notify('appid=1&method=notify.close.door');
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('{"error_code":-1,"error_msg":"ERR_PARAMS","data":{}}');
    expect(h.inbox.calls).toBe(0);
  });

  it('record throwing (disk full) → 503 so Yopoint redelivers; the redelivery is then recorded', async () => {
    const body = formBody(yopointForm('notify.close.door', { Status: 1, ReceiptNo: 'OD1', Msg: 'closed' }));
    h.inbox.failWith = new Error('SQLITE_FULL: database or disk is full');
    const res = await notify(body);
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('{"error_code":-1,"error_msg":"ERR_SYSTEM","data":{}}');
    expect(h.inbox.rows.size).toBe(0);
    expect(h.received).toHaveLength(0);

    h.inbox.failWith = null;
    const redelivered = await notify(body);
    expect(redelivered.status).toBe(200);
    expect(h.inbox.rows.size).toBe(1);
    expect(h.received).toHaveLength(1);
  });
});

describe('CallbackReceiver: limits', () => {
  beforeEach(async () => {
    h = await startReceiver({ maxBodyBytes: 1024, headersTimeoutMs: 1000, requestTimeoutMs: 2000 });
  });

  it('a Content-Length over the limit → 413 at once, without waiting for the body', async () => {
    // Only 3 of the declared bytes are sent: an answer can only come from the declared length.
    const answer = await rawExchange(h.url, 'POST /yopoint/notify HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\nabc');
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(answer).toContain('ERR_PARAMS');
    expect(h.inbox.calls).toBe(0);
  });

  it('a declared body over the limit → 413 before reading, inbox untouched', async () => {
    const res = await fetch(`${h.url}/yopoint/notify`, { method: 'POST', headers: FORM, body: 'a'.repeat(1025) });
    expect(res.status).toBe(413);
    expect(await res.text()).toBe('{"error_code":-1,"error_msg":"ERR_PARAMS","data":{}}');
    expect(h.inbox.calls).toBe(0);
  });

  it('a chunked body that grows over the limit → 413, reading stops, inbox untouched', async () => {
    const form = formBody(yopointForm('notify.cabinet.order.simple', ORDER_PAID_BIZ));
    const res = await rawRequest(`${h.url}/yopoint/notify`, { headers: FORM, chunks: [form, '&pad=', 'x'.repeat(1024)] });
    expect(res.status).toBe(413);
    expect(res.body).toBe('{"error_code":-1,"error_msg":"ERR_PARAMS","data":{}}');
    expect(res.headers.connection).toBe('close');
    expect(h.inbox.calls).toBe(0);
  });

  it('a body exactly at the limit is read', async () => {
    const body = JSON.stringify({ ...(JSON.parse(DS_CALLBACK) as object), pad: '' });
    const padded = body.replace('"pad":""', `"pad":"${'x'.repeat(1024 - body.length)}"`);
    expect(Buffer.byteLength(padded)).toBe(1024);
    const res = await fetch(`${h.url}/dingshang/delivery?t=${DS_TOKEN.value}`, { method: 'POST', body: padded });
    expect(res.status).toBe(200);
    expect(h.inbox.rows.size).toBe(1);
  });

  it('unknown path → 404, wrong method → 405 with Allow, nothing read or stored', async () => {
    const missing = await fetch(`${h.url}/aituo/push`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(404);
    const get = await fetch(`${h.url}/yopoint/notify`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(h.inbox.calls).toBe(0);
  });
});

describe('CallbackReceiver: Dingshang delivery callbacks over HTTP', () => {
  beforeEach(async () => {
    h = await startReceiver();
  });
  const deliver = (body: string, query = `?${DS_TOKEN.param}=${DS_TOKEN.value}`): Promise<Response> =>
    fetch(`${h.url}/dingshang/delivery${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('valid → 200 with the empty ack, recorded once; a redelivery → 200, not recorded again', async () => {
    const first = await deliver(DS_CALLBACK);
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('');
    const again = await deliver(DS_CALLBACK);
    expect(again.status).toBe(200);
    expect(h.inbox.rows.size).toBe(1);
    expect(h.received).toHaveLength(1);
    expect(h.received[0]?.content).toMatchObject({ source: 'dingshang', event: { type: 'delivery-result', orderId: 60, recordId: 78, outcome: 'failed' } });
  });

  it('a wrong or missing token → 401, inbox untouched', async () => {
    expect((await deliver(DS_CALLBACK, '?t=dingshang-url-token-9999')).status).toBe(401);
    expect((await deliver(DS_CALLBACK, '')).status).toBe(401);
    expect(h.inbox.calls).toBe(0);
  });

  it('not JSON → 400, inbox untouched', async () => {
    expect((await deliver('deliver_status=1')).status).toBe(400);
    expect(h.inbox.calls).toBe(0);
  });

  it('logs carry neither the URL token nor the Yopoint secret or sign', async () => {
    await deliver(DS_CALLBACK);
    await deliver(DS_CALLBACK, `?t=${DS_TOKEN.value}x`);
    const form = yopointForm('notify.other', {});
    await fetch(`${h.url}/yopoint/notify`, { method: 'POST', headers: FORM, body: formBody(form) });
    const bad = yopointForm('notify.cabinet.order.simple', ORDER_PAID_BIZ, { secret: 'wrong' });
    await fetch(`${h.url}/yopoint/notify`, { method: 'POST', headers: FORM, body: formBody(bad) });
    const text = JSON.stringify(h.logs);
    expect(h.logs.length).toBeGreaterThanOrEqual(4);
    for (const secret of [DS_TOKEN.value, YOPOINT_SECRET, form.sign, bad.sign]) expect(text).not.toContain(secret);
  });
});

describe('CallbackReceiver: the handler cannot change the answer', () => {
  it('onCallback throwing → still 200, recorded, the failure logged', async () => {
    h = await startReceiver({}, () => {
      throw new Error('flow exploded');
    });
    const res = await fetch(`${h.url}/yopoint/notify`, { method: 'POST', headers: FORM, body: formBody(yopointForm('notify.cabinet.order.simple', ORDER_PAID_BIZ)) });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(OK_BODY);
    expect(h.inbox.rows.size).toBe(1);
    expect(h.received).toHaveLength(1);
    expect(JSON.stringify(h.logs)).toContain('flow exploded');
  });

  it('onCallback rejecting → still 200, recorded, the failure logged', async () => {
    let failureLogged!: () => void;
    const logged = new Promise<void>((resolve) => (failureLogged = resolve));
    h = await startReceiver(
      {},
      () => Promise.reject(new Error('async flow exploded')),
      (line) => line.includes('async flow exploded') && failureLogged(),
    );
    const res = await fetch(`${h.url}/dingshang/delivery?t=${DS_TOKEN.value}`, { method: 'POST', body: DS_CALLBACK });
    expect(res.status).toBe(200);
    await logged;
    expect(h.inbox.rows.size).toBe(1);
  });
});

describe('CallbackReceiver: slow clients (slowloris)', () => {
  beforeEach(async () => {
    h = await startReceiver({ headersTimeoutMs: 150, requestTimeoutMs: 300 });
  });

  it('headers never finished → 408 and the connection closed', async () => {
    const answer = await rawExchange(h.url, 'POST /yopoint/notify HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('a body that never completes → 408, nothing stored', async () => {
    const answer = await rawExchange(h.url, `POST /dingshang/delivery?t=${DS_TOKEN.value} HTTP/1.1\r\nHost: x\r\nContent-Length: ${DS_CALLBACK.length}\r\n\r\n${DS_CALLBACK.slice(0, 20)}`);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(h.inbox.calls).toBe(0);
  });
});

describe('CallbackReceiver: lifecycle and configuration', () => {
  it('routes are only those configured; start twice is refused; stop closes the port', async () => {
    const inbox = new MemoryInbox();
    const receiver = new CallbackReceiver({ port: 0, routes: callbackRoutes({ dingshang: { urlToken: DS_TOKEN } }) }, { inbox });
    h = { receiver, inbox, received: [], logs: [], url: '' };
    expect(receiver.paths).toEqual(['/dingshang/delivery']);
    const { url, host } = await receiver.start();
    expect(host).toBe('127.0.0.1');
    expect((await fetch(`${url}/yopoint/notify`, { method: 'POST', body: 'x' })).status).toBe(404);
    await expect(receiver.start()).rejects.toMatchObject({ code: 'already-started' });
    await receiver.stop();
    await expect(fetch(`${url}/dingshang/delivery`, { method: 'POST', body: '{}' })).rejects.toThrow();
  });

  it('a port in use → listen-failed', async () => {
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as AddressInfo;
    const receiver = new CallbackReceiver({ port, routes: [] }, { inbox: new MemoryInbox() });
    h = { receiver, inbox: new MemoryInbox(), received: [], logs: [], url: '' };
    await expect(receiver.start()).rejects.toMatchObject({ code: 'listen-failed' });
    await new Promise<void>((resolve) => other.close(() => resolve()));
  });

  it('refuses bad options with a code naming the option', () => {
    const inbox = new MemoryInbox();
    const routes = callbackRoutes({ yopoint: yopointOptions });
    expect(() => new CallbackReceiver({ routes, maxBodyBytes: 0 }, { inbox })).toThrow(ReceiverError);
    expect(() => new CallbackReceiver({ routes, headersTimeoutMs: 5000, requestTimeoutMs: 1000 }, { inbox })).toThrow(expect.objectContaining({ code: 'bad-option', meta: { option: 'headersTimeoutMs' } }) as Error);
    expect(() => new CallbackReceiver({ routes, port: 70000 }, { inbox })).toThrow(expect.objectContaining({ code: 'bad-option' }) as Error);
    expect(() => new CallbackReceiver({ routes: [...routes, ...routes] }, { inbox })).toThrow(expect.objectContaining({ code: 'duplicate-route' }) as Error);
  });
});
