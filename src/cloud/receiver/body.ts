/**
 * Reads a request body into memory with a hard size limit. The limit is
 * checked against `Content-Length` before a byte is read, and against the
 * bytes actually received (a chunked body has no length). Past the limit
 * nothing more is buffered.
 */
import type { IncomingMessage } from 'node:http';

export type BodyRead =
  | { readonly kind: 'complete'; readonly body: Buffer }
  /** Declared or received size over the limit; the request is paused, not drained. */
  | { readonly kind: 'too-large' }
  /** The peer went away (or the server's request timeout fired) before the body ended. */
  | { readonly kind: 'aborted' };

/** A Content-Length that already exceeds `maxBytes`; false when absent or unparsable (Node rejects a bad one itself). */
export function declaredTooLarge(req: IncomingMessage, maxBytes: number): boolean {
  const declared = req.headers['content-length'];
  return declared !== undefined && /^\d+$/.test(declared) && Number(declared) > maxBytes;
}

/** Never rejects. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  if (declaredTooLarge(req, maxBytes)) return Promise.resolve({ kind: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyRead): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        req.pause();
        chunks.length = 0;
        finish({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ kind: 'complete', body: Buffer.concat(chunks, size) });
    const onAbort = (): void => finish({ kind: 'aborted' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    // 'close' before 'end' means the body never completed.
    req.on('close', onAbort);
  });
}
