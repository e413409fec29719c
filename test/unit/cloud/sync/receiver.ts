import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../../../../src/cloud/webhooks/signer.js';

/** What the receiver knows about one request when it decides how to answer. */
export interface RequestInfo {
  id: string;
  type: string;
  parcelId: string | null;
  /** 1 for the first request with this webhook-id. */
  attempt: number;
  /** Already applied (a retry after a lost acknowledgement). */
  duplicate: boolean;
}

/**
 * How to answer: `apply` (200 and apply once), an error answer, `hang` (never
 * answer, apply nothing) or `apply-then-hang` (apply, never answer: the
 * acknowledgement is lost, so the sender must retry and we must dedupe).
 */
export type Reply = 'apply' | 'hang' | 'apply-then-hang' | { status: number; headers?: Record<string, string>; body?: string };

export interface ReceivedRequest {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  remotePort: number | undefined;
}

/**
 * A merchant backend on 127.0.0.1 done the way Standard Webhooks asks:
 * verify the signature on the raw body, dedupe on webhook-id, apply once.
 */
export class WebhookReceiver {
  /** Applied event ids in the order applied. */
  readonly applied: string[] = [];
  readonly #appliedSet = new Set<string>();
  readonly #attempts = new Map<string, number>();
  /** Requests for an event already applied (at least once on the wire). */
  duplicates = 0;
  requests = 0;
  badSignatures = 0;
  /** TCP connections accepted: 1 for a backlog means keep-alive worked. */
  connections = 0;
  /** Every request as received, when `keepRequests`. */
  readonly received: ReceivedRequest[] = [];
  readonly #server: Server;
  readonly #hanging = new Set<ServerResponse>();

  constructor(
    readonly secret: string,
    public plan: (info: RequestInfo) => Reply = () => 'apply',
    readonly keepRequests = false,
  ) {
    // A client that aborts mid-request (our timeout) must not crash the test run.
    this.#server = createServer((req, res) => void this.#handle(req, res).catch(() => res.destroy()));
    this.#server.on('connection', () => (this.connections += 1));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hooks`;
  }

  hasApplied(id: string): boolean {
    return this.#appliedSet.has(id);
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    this.requests += 1;
    if (this.keepRequests) this.received.push({ headers: { ...req.headers }, body, remotePort: req.socket.remotePort });

    let id: string;
    try {
      ({ id } = verifyWebhook({ headers: req.headers, body, secrets: [this.secret], nowSeconds: Date.now() / 1000 }));
    } catch (err) {
      this.badSignatures += 1;
      res.writeHead(400).end(`bad signature: ${(err as Error).message}`);
      return;
    }
    const parsed = JSON.parse(body) as { type: string; data: { eventId: string; parcelId: string | null } };
    if (parsed.data.eventId !== id) throw new Error('webhook-id is not the event id');
    const attempt = (this.#attempts.get(id) ?? 0) + 1;
    this.#attempts.set(id, attempt);
    const duplicate = this.#appliedSet.has(id);
    const reply = this.plan({ id, type: parsed.type, parcelId: parsed.data.parcelId, attempt, duplicate });

    if (reply === 'hang') {
      this.#hanging.add(res);
      return;
    }
    if (reply === 'apply' || reply === 'apply-then-hang') {
      if (duplicate) this.duplicates += 1;
      else {
        this.#appliedSet.add(id);
        this.applied.push(id);
      }
      if (reply === 'apply-then-hang') this.#hanging.add(res);
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    res.writeHead(reply.status, reply.headers).end(reply.body ?? '');
  }
}
