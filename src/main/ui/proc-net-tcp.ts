/**
 * Linux's table of TCP sockets (`/proc/net/tcp`, `/proc/net/tcp6`), read to
 * learn which uid owns the other end of a loopback connection: Node has no
 * SO_PEERCRED, but both ends of a loopback connection are sockets of this
 * machine, so the kernel lists the peer's socket with its owner's uid.
 * Format: proc_net_tcp.rst in the Linux kernel documentation.
 */

export interface Endpoint {
  /** Dotted IPv4 (an IPv4-mapped IPv6 address is given as its IPv4 form); other IPv6 as eight full hex groups. */
  address: string;
  port: number;
}

export interface TcpRow {
  local: Endpoint;
  remote: Endpoint;
  /** The kernel's state number: 0x01 ESTABLISHED, 0x06 TIME_WAIT, 0x0A LISTEN … */
  state: number;
  uid: number;
}

const TIME_WAIT = 0x06;
const LISTEN = 0x0a;

/**
 * The rows of one /proc/net/tcp or tcp6 text; lines that are not rows (the
 * header, a torn last line) are skipped. Addresses are printed by the kernel
 * as 32-bit words in the host's byte order, hence `endianness`.
 */
export function parseProcNetTcp(text: string, endianness: 'LE' | 'BE'): TcpRow[] {
  const rows: TcpRow[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || !/^\d+:$/.test(f[0]!)) continue;
    const local = parseEndpoint(f[1]!, endianness);
    const remote = parseEndpoint(f[2]!, endianness);
    const state = /^[0-9A-Fa-f]{2}$/.test(f[3]!) ? Number.parseInt(f[3]!, 16) : NaN;
    const uid = /^\d+$/.test(f[7]!) ? Number(f[7]) : NaN;
    if (!local || !remote || Number.isNaN(state) || Number.isNaN(uid)) continue;
    rows.push({ local, remote, state, uid });
  }
  return rows;
}

/** `0100007F:1F90` → 127.0.0.1:8080 (on a little-endian host); null when malformed. */
export function parseEndpoint(text: string, endianness: 'LE' | 'BE'): Endpoint | null {
  const m = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(text);
  if (!m) return null;
  const hex = m[1]!;
  const bytes = Buffer.alloc(hex.length / 2);
  for (let word = 0; word < hex.length / 8; word++) {
    const value = Number.parseInt(hex.slice(word * 8, word * 8 + 8), 16);
    if (endianness === 'LE') bytes.writeUInt32LE(value, word * 4);
    else bytes.writeUInt32BE(value, word * 4);
  }
  return { address: addressOf(bytes), port: Number.parseInt(m[2]!, 16) };
}

/**
 * The uid owning the socket at the other end of our connection, or null when
 * the table has no such live socket. The peer's socket is the row whose local
 * end is the address we see as remote, and whose remote end is us.
 */
export function peerUid(rows: readonly TcpRow[], ours: { local: Endpoint; remote: Endpoint }): number | null {
  const row = rows.find(
    (r) => r.state !== TIME_WAIT && r.state !== LISTEN && same(r.local, ours.remote) && same(r.remote, ours.local),
  );
  return row ? row.uid : null;
}

function same(a: Endpoint, b: Endpoint): boolean {
  return a.port === b.port && a.address === normalise(b.address);
}

/** Node reports an IPv4 peer of a dual-stack socket as `::ffff:127.0.0.1`. */
function normalise(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function addressOf(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return [...bytes.subarray(12)].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':');
}
