import { readFile as fsReadFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { CONTENT_SECURITY_POLICY, resolveAppFile } from './window-options.js';

/** The kinds of file the renderer build emits; anything else is served as opaque bytes. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.txt': 'text/plain; charset=utf-8',
};

export type ReadFile = (path: string) => Promise<Uint8Array>;

/**
 * Answers one `app://` request from the renderer build in `rendererDir`.
 * Every answer, 404 included, carries the CSP: it is the only way the policy
 * reaches a page loaded from a custom scheme. Never throws.
 */
export async function serveAppRequest(rendererDir: string, request: Pick<Request, 'url' | 'method'>, readFile: ReadFile = fsReadFile): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed');
  const file = resolveAppFile(rendererDir, request.url);
  if (file === null) return plain(404, 'not found');
  let body: Uint8Array;
  try {
    body = await readFile(file);
  } catch {
    // Missing, a directory, or unreadable: all the same to the screen.
    return plain(404, 'not found');
  }
  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: headers(type) });
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: headers('text/plain; charset=utf-8') });
}

function headers(contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    // A new build on disk is picked up on the next reload, not served stale from a cache.
    'cache-control': 'no-cache',
  };
}
