import type { VendorFactory } from '../../../tools/mock-cloud/server.js';
import type { MockVendor } from '../../../tools/mock-cloud/types.js';

/**
 * A minimal vendor for the server's own tests: `POST /recorder/apply` with
 * `{ key, stream?, order? }` applies to the ledger and answers 200 with the
 * outcome; `POST /recorder/callback` with `{ url }` sends one callback through
 * the server's sender (so the duplicate-callback fault applies).
 */
export function recorderMock(): VendorFactory {
  return (ctx): MockVendor => ({
    name: 'recorder',
    async handle(request) {
      const body = JSON.parse(request.rawBody.toString('utf8') || '{}') as { key?: string; stream?: string; order?: number; url?: string };
      if (request.path === '/callback' && body.url !== undefined) {
        const answer = await ctx.sendCallback({ url: body.url, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"hello":1}' });
        return { status: 200, body: JSON.stringify(answer) };
      }
      const outcome = ctx.ledger.apply({
        vendor: 'recorder',
        key: body.key ?? 'none',
        stream: body.stream ?? null,
        kind: 'test',
        body,
        at: request.receivedAt,
        ...(body.order === undefined ? {} : { order: body.order }),
      });
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome }) };
    },
    snapshot: () => null,
  });
}

export async function postJson(url: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(signal === undefined ? {} : { signal }) });
}
