import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { InboundCommand, InboxPort } from '../../../../src/cloud/sync/ports.js';
import { yopointOptionsSchema } from '../../../../src/cloud/yopoint/config.js';
import { yopointSign } from '../../../../src/cloud/yopoint/signer.js';

/** The store's inbox semantics in memory: keyed by (source, commandId), first result wins. */
export class MemoryInbox implements InboxPort {
  readonly rows = new Map<string, { command: InboundCommand; result: unknown }>();
  /** Every record() call, fresh or not. */
  calls = 0;
  /** Set to make record() fail like a full disk. */
  failWith: Error | null = null;

  record(command: InboundCommand, result?: unknown): { fresh: true } | { fresh: false; result: unknown } {
    this.calls += 1;
    if (this.failWith !== null) throw this.failWith;
    const key = `${command.source}:${command.commandId}`;
    const known = this.rows.get(key);
    if (known !== undefined) return { fresh: false, result: known.result };
    // A JSON round trip, as the SQLite inbox stores it: the content must survive it.
    this.rows.set(key, { command, result: JSON.parse(JSON.stringify(result)) as unknown });
    return { fresh: true };
  }

  setResult(command: Pick<InboundCommand, 'source' | 'commandId'>, result: unknown): void {
    const row = this.rows.get(`${command.source}:${command.commandId}`);
    if (row === undefined) throw new Error('not found');
    row.result = result;
  }
}

export const YOPOINT_SECRET = 'kiosk-test-secret-0001';
export const yopointOptions = yopointOptionsSchema.parse({ appid: '930859529955', appSecret: YOPOINT_SECRET });
export const SENT_S = 1_703_730_100;
export const NOW = SENT_S * 1000 + 2_000;

/** A notification form signed the way Yopoint signs it (§2.2: the five fields, no `version`). */
export function yopointForm(method: string, biz: unknown, opts: { timestamp?: string; secret?: string } = {}): Record<string, string> {
  const unsigned = {
    appid: yopointOptions.appid,
    method,
    biz_content: typeof biz === 'string' ? biz : JSON.stringify(biz),
    timestamp: opts.timestamp ?? String(SENT_S),
    sign_type: 'md5',
  };
  return { ...unsigned, sign: yopointSign(unsigned, opts.secret ?? YOPOINT_SECRET) };
}

export function formBody(form: Record<string, string>): string {
  return new URLSearchParams(form).toString();
}

export const ORDER_PAID_BIZ = { ReceiptNo: 'VI231228102118586561', CID: '5f6da2362201410011fe7b72', PayTime: 1_703_730_094 };

export const DS_TOKEN = { param: 't', value: 'dingshang-url-token-0001' };
/** docs/vendors/dingshang.md §10 example body. */
export const DS_CALLBACK = '{"deliver_status":"0","error_msg":"Slave Comm Error","floor_status":"3","method":"device.delivery.response","order_id":60,"record_id":78}';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A request through node:http, for what fetch cannot send: a chunked body,
 * a lying Content-Length. Resolves with the answer even when the server
 * closes the connection while the body is still being written.
 */
export function rawRequest(url: string, opts: { method?: string; headers?: Record<string, string | number>; chunks?: (string | Buffer)[] }): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(url, { method: opts.method ?? 'POST', headers: opts.headers ?? {} }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    for (const chunk of opts.chunks ?? []) req.write(chunk);
    req.end();
  });
}

/** Writes `text` on a fresh connection, never finishes the request itself, and collects what the server sends until it closes. */
export function rawExchange(url: string, text: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    let got = '';
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(text));
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (got += d));
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
  });
}
