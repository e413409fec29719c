import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { endianness } from 'node:os';
import type { Logger as PinoLogger } from 'pino';
import { parseProcNetTcp, peerUid, type TcpRow } from './proc-net-tcp.js';

/** What the kernel says about a connection's peer: its uid, no live socket (null), or no way to ask. */
export type PeerLookup = number | null | 'unavailable';

/** Reads the kernel's TCP tables; 'unavailable' where there are none (Windows, macOS). */
export async function lookupPeerUid(socket: Pick<Socket, 'localAddress' | 'localPort' | 'remoteAddress' | 'remotePort'>, procNet = '/proc/net'): Promise<PeerLookup> {
  const { localAddress, localPort, remoteAddress, remotePort } = socket;
  if (!localAddress || !localPort || !remoteAddress || !remotePort) return null;
  const ours = { local: { address: localAddress, port: localPort }, remote: { address: remoteAddress, port: remotePort } };
  const v4 = await readRows(`${procNet}/tcp`);
  if (v4 === 'unavailable') return 'unavailable';
  // A dual-stack client socket sits in tcp6 under an IPv4-mapped address.
  return peerUid(v4, ours) ?? (await readRows(`${procNet}/tcp6`).then((v6) => (v6 === 'unavailable' ? null : peerUid(v6, ours))));
}

async function readRows(file: string): Promise<TcpRow[] | 'unavailable'> {
  try {
    return parseProcNetTcp(await readFile(file, 'utf8'), endianness());
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'unavailable';
    throw err;
  }
}

export type PeerVerdict = { allowed: true } | { allowed: false; uid: number | null };

/**
 * Browser mode's "which local user is this?" check, for each HTTP request
 * and WebSocket upgrade: the peer's uid must be one of `allowedUids`. The
 * verdict is kept per TCP connection (a page's keep-alive requests share one).
 * Where the kernel tables do not exist the launch ticket and session token
 * alone guard the screen, which is said once in the log.
 */
export class PeerGuard {
  readonly #allowed: ReadonlySet<number>;
  readonly #verdicts = new WeakMap<Socket, Promise<PeerVerdict>>();
  #saidUnavailable = false;

  constructor(
    allowedUids: readonly number[],
    private readonly log: PinoLogger,
    private readonly lookup: (socket: Socket) => Promise<PeerLookup> = (s) => lookupPeerUid(s),
  ) {
    this.#allowed = new Set(allowedUids);
  }

  check(socket: Socket): Promise<PeerVerdict> {
    let verdict = this.#verdicts.get(socket);
    if (!verdict) {
      verdict = this.#decide(socket);
      this.#verdicts.set(socket, verdict);
    }
    return verdict;
  }

  async #decide(socket: Socket): Promise<PeerVerdict> {
    let uid: PeerLookup;
    try {
      uid = await this.lookup(socket);
    } catch (err) {
      this.log.error({ err }, 'browser mode: cannot read the kernel TCP table; refusing the connection');
      return { allowed: false, uid: null };
    }
    if (uid === 'unavailable') {
      if (!this.#saidUnavailable) {
        this.#saidUnavailable = true;
        this.log.warn('browser mode: this system has no /proc/net/tcp, so the screen peer\'s user cannot be checked; the launch ticket and session token alone guard it');
      }
      return { allowed: true };
    }
    return uid !== null && this.#allowed.has(uid) ? { allowed: true } : { allowed: false, uid };
  }
}

/** ui.allowedUids when set, else only the agent's own uid (root is never added by itself). */
export function allowedUidsFor(configured: readonly number[] | undefined): number[] {
  if (configured) return [...configured];
  return typeof process.getuid === 'function' ? [process.getuid()] : [];
}
