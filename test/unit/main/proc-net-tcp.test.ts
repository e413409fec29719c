import { createServer, connect, type Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { lookupPeerUid, PeerGuard } from '../../../src/main/ui/peer-guard.js';
import { parseEndpoint, parseProcNetTcp, peerUid } from '../../../src/main/ui/proc-net-tcp.js';

// A little-endian host's /proc/net/tcp: a listener on 127.0.0.1:8080 (uid 1000), the
// server's end of one connection (uid 1000), the client's end (uid 65534), and an
// old connection from port 50001 lingering in TIME_WAIT (uid 0, as the kernel prints it).
const TCP_LE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 31337 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 31338 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000 65534        0 31339 1 0000000000000000 20 4 30 10 -1
   3: 0100007F:C351 0100007F:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
   4: 0100007F:C3`;

// /proc/net/tcp6 on the same host: a dual-stack client socket (uid 1001) connected to
// the IPv4 listener shows under the IPv4-mapped address; ::1:631 is a listener.
const TCP6_LE = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:0277 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2211 1 0000000000000000 100 0 0 10 0
   1: 0000000000000000FFFF00000100007F:C352 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 00:00000000 00000000  1001        0 4411 1 0000000000000000 20 4 30 10 -1`;

const SERVER = { address: '127.0.0.1', port: 8080 };

describe('/proc/net/tcp parser', () => {
  it('reads addresses, ports, states and uids, skipping the header and a torn line', () => {
    expect(parseProcNetTcp(TCP_LE, 'LE')).toEqual([
      { local: { address: '127.0.0.1', port: 8080 }, remote: { address: '0.0.0.0', port: 0 }, state: 0x0a, uid: 1000 },
      { local: { address: '127.0.0.1', port: 8080 }, remote: { address: '127.0.0.1', port: 50000 }, state: 0x01, uid: 1000 },
      { local: { address: '127.0.0.1', port: 50000 }, remote: { address: '127.0.0.1', port: 8080 }, state: 0x01, uid: 65534 },
      { local: { address: '127.0.0.1', port: 50001 }, remote: { address: '127.0.0.1', port: 8080 }, state: 0x06, uid: 0 },
    ]);
  });

  it('decodes each address in the host byte order, IPv4-mapped IPv6 as IPv4', () => {
    expect(parseEndpoint('0100007F:1F90', 'LE')).toEqual({ address: '127.0.0.1', port: 8080 });
    expect(parseEndpoint('7F000001:1F90', 'BE')).toEqual({ address: '127.0.0.1', port: 8080 });
    expect(parseEndpoint('0201A8C0:0050', 'LE')).toEqual({ address: '192.168.1.2', port: 80 });
    expect(parseEndpoint('0000000000000000FFFF00000100007F:C352', 'LE')).toEqual({ address: '127.0.0.1', port: 50002 });
    expect(parseEndpoint('00000000000000000000000001000000:0277', 'LE')).toEqual({ address: '0:0:0:0:0:0:0:1', port: 631 });
    expect(parseEndpoint('B80D0120000000000000000001000000:0016', 'LE')).toEqual({ address: '2001:db8:0:0:0:0:0:1', port: 22 });
    for (const bad of ['0100007F', '0100007F:1F9', 'XYZ0007F:1F90', '0100007F:1F90:00']) expect(parseEndpoint(bad, 'LE')).toBeNull();
  });

  it("finds the peer's socket by its local end, never our own end or a TIME_WAIT row", () => {
    const rows = parseProcNetTcp(TCP_LE, 'LE');
    expect(peerUid(rows, { local: SERVER, remote: { address: '127.0.0.1', port: 50000 } })).toBe(65534);
    // Node may name an IPv4 peer in its mapped form.
    expect(peerUid(rows, { local: SERVER, remote: { address: '::ffff:127.0.0.1', port: 50000 } })).toBe(65534);
    expect(peerUid(rows, { local: SERVER, remote: { address: '127.0.0.1', port: 50001 } })).toBeNull();
    expect(peerUid(rows, { local: SERVER, remote: { address: '127.0.0.1', port: 50009 } })).toBeNull();
    expect(peerUid(parseProcNetTcp(TCP6_LE, 'LE'), { local: SERVER, remote: { address: '127.0.0.1', port: 50002 } })).toBe(1001);
  });
});

describe('peer uid lookup against the kernel', () => {
  it("names this process's uid for a real loopback connection, and says 'unavailable' without /proc/net", async () => {
    const accepted = new Promise<Socket>((resolve) => {
      const server = createServer((s) => {
        resolve(s);
        server.close();
      });
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        if (address && typeof address === 'object') connect(address.port, '127.0.0.1');
      });
    });
    const socket = await accepted;
    try {
      expect(await lookupPeerUid(socket)).toBe(process.getuid!());
      expect(await lookupPeerUid(socket, '/nonexistent-proc-net')).toBe('unavailable');
    } finally {
      socket.destroy();
    }
  });

  it('the guard refuses a uid not listed, allows a listed one, and falls back to the token once, saying so once', async () => {
    const warn = vi.fn();
    const log = { warn, error: vi.fn() } as unknown as ConstructorParameters<typeof PeerGuard>[1];
    const socketA = {} as Socket;
    const socketB = {} as Socket;
    const uids = new Map<Socket, number>([
      [socketA, 1000],
      [socketB, 0],
    ]);
    const guard = new PeerGuard([1000], log, async (s) => uids.get(s) ?? null);
    expect(await guard.check(socketA)).toEqual({ allowed: true });
    expect(await guard.check(socketB)).toEqual({ allowed: false, uid: 0 });
    expect(await guard.check({} as Socket)).toEqual({ allowed: false, uid: null });
    const blind = new PeerGuard([1000], log, async () => 'unavailable');
    expect(await blind.check({} as Socket)).toEqual({ allowed: true });
    expect(await blind.check({} as Socket)).toEqual({ allowed: true });
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
