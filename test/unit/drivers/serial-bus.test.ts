import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fromHex, toHex } from '../../../src/drivers/codec.js';
import { DriverError } from '../../../src/drivers/errors.js';
import type { BusRequest } from '../../../src/drivers/transport/serial-bus.js';
import { decodeShort, decodeStatusAll, encodeOpen, encodeReadAll, encodeReadOne, encodeShortReply, type XorShortFrame, type XorStatusAllFrame } from '../../../src/drivers/xor-8a/codec.js';
import { HEAD_OPEN, HEAD_STATUS } from '../../../src/drivers/xor-8a/constants.js';
import { mockBus, sleep, type MockBus } from './mock-port.js';

let m: MockBus | undefined;
afterEach(async () => {
  await m?.close();
  m = undefined;
  SerialPortMock.binding.reset();
});

const openReq = (lock = 1, board = 1): BusRequest<XorShortFrame> => ({
  tx: encodeOpen(board, lock), codec: { decode: (b) => decodeShort(b, [HEAD_OPEN]) },
  matches: (f) => f.address === board && f.channel === lock, what: { board, lock, cmd: 'open' }, kind: 'command',
});
const readReq = (lock = 1, board = 1, priority: 'command' | 'poll' = 'command'): BusRequest<XorShortFrame> => ({
  tx: encodeReadOne(board, lock), codec: { decode: (b) => decodeShort(b, [HEAD_STATUS]) },
  matches: (f) => f.address === board && f.channel === lock, what: { board, lock, cmd: 'read' }, kind: 'read', priority,
});
const readAllReq = (expectedLength?: number): BusRequest<XorStatusAllFrame> => ({
  tx: encodeReadAll(1), codec: { decode: (b) => decodeStatusAll(b, { expectedLength }) },
  matches: (f) => f.address === 1, what: { board: 1, cmd: 'read-all' }, kind: 'read',
});
const hex = (b: Uint8Array) => toHex(b).toUpperCase();

describe('SerialBus on SerialPortMock', () => {
  it('writes exactly the frame and resolves on the matching reply', async () => {
    m = await mockBus();
    m.board = () => m!.emit(fromHex('8A 01 01 00 8A'));
    const frame = await m.bus.request(openReq());
    expect(hex(m.binding.recording)).toBe('8A 01 01 11 9B');
    expect(frame).toMatchObject({ address: 1, channel: 1, value: 0x00 });
  });

  it('assembles a reply split into 1-byte reads', async () => {
    m = await mockBus({}, { maxReadSize: 1 });
    m.board = () => m!.emit(encodeShortReply(HEAD_STATUS, 1, 3, true));
    expect(await m.bus.request(readReq(3))).toMatchObject({ channel: 3, value: 0x11 });
  });

  it('picks the awaited frame out of several in one chunk', async () => {
    m = await mockBus();
    m.board = () => m!.emit(Buffer.concat([encodeShortReply(HEAD_STATUS, 2, 1, false), encodeShortReply(HEAD_STATUS, 1, 1, true)]));
    expect(await m.bus.request(readReq(1))).toMatchObject({ address: 1, value: 0x11 });
    expect(m.bus.stats.foreignFrames).toBe(1);
  });

  it('skips and counts garbage before the head byte (§A.8.2)', async () => {
    m = await mockBus();
    m.board = () => m!.emit(fromHex('FA FD 99 99 8A 01 01 00 8A'));
    await m.bus.request(openReq());
    expect(m.bus.stats.garbageBytes).toBe(4);
  });

  it('with echo on, drops the echo and takes the identical failure reply (§A.5, §A.8.1)', async () => {
    m = await mockBus({ echo: true }, { echo: true });
    m.board = (w) => setTimeout(() => m!.emit(w), 2); // still locked: the reply equals the command
    const frame = await m.bus.request(openReq());
    expect(frame).toMatchObject({ value: 0x11 });
    expect(m.bus.stats.echoesStripped).toBe(1);
  });

  it('without echo on, an echoing adapter makes the echo look like the failure reply (why echo must be configured)', async () => {
    m = await mockBus({}, { echo: true });
    m.board = () => setTimeout(() => m!.emit(fromHex('8A 01 01 00 8A')), 2);
    expect(await m.bus.request(openReq())).toMatchObject({ value: 0x11 });
  });

  it('after a timeout, a late reply is discarded, not taken for the next answer (§A.8.6)', async () => {
    m = await mockBus({ replyTimeoutMs: 60, readRetries: 0 });
    m.board = (_w, n) => {
      if (n === 1) setTimeout(() => m!.emit(encodeShortReply(HEAD_STATUS, 1, 1, true)), 90);
      else m!.emit(encodeShortReply(HEAD_STATUS, 1, 1, false));
    };
    await expect(m.bus.request(readReq(1))).rejects.toMatchObject({ code: 'reply-timeout', meta: { board: 1, lock: 1, cmd: 'read', ms: 60 } });
    const second = await m.bus.request(readReq(1));
    expect(second).toMatchObject({ value: 0x00 });
    expect(m.bus.stats.unsolicitedBytes).toBe(5);
    expect(m.writes[1]!.at - m.writes[0]!.at).toBeGreaterThanOrEqual(60 + 50);
  });

  it('says what it waited for in a timeout', async () => {
    m = await mockBus({ replyTimeoutMs: 40 });
    const err = await m.bus.request(openReq(3, 2)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect((err as Error).message).toBe('no reply from board 2 lock 3 open within 40 ms');
  });

  it('retries reads a bounded number of times', async () => {
    m = await mockBus({ replyTimeoutMs: 30, readRetries: 2 });
    await expect(m.bus.request(readReq(1))).rejects.toMatchObject({ code: 'reply-timeout' });
    expect(m.writes).toHaveLength(3);
    expect(m.bus.stats).toMatchObject({ retries: 2, timeouts: 3 });
  });

  it('never re-sends an open', async () => {
    m = await mockBus({ replyTimeoutMs: 30, readRetries: 5 });
    await expect(m.bus.request(openReq())).rejects.toMatchObject({ code: 'reply-timeout' });
    await sleep(100);
    expect(m.writes).toHaveLength(1);
  });

  it('fails fast on a bad checksum once the line is quiet, and retries the read', async () => {
    // A reply timeout longer than the test's own: only the quiet path can
    // answer, so sitting out the timeout fails the test instead of slowing it.
    m = await mockBus({ replyTimeoutMs: 10 * 60_000, readRetries: 1 });
    m.board = (_w, n) => m!.emit(n === 1 ? fromHex('80 01 01 11 00') : fromHex('80 01 01 11 91'));
    expect(await m.bus.request(readReq(1))).toMatchObject({ value: 0x11 });
    expect(m.writes).toHaveLength(2);
    expect(m.bus.stats.badFrames).toBeGreaterThanOrEqual(1);
  });

  it('an open with a corrupt reply rejects bad-checksum and is not re-sent', async () => {
    m = await mockBus({ replyTimeoutMs: 1000 });
    m.board = () => m!.emit(fromHex('8A 01 01 00 8B'));
    await expect(m.bus.request(openReq())).rejects.toMatchObject({ code: 'bad-checksum' });
    expect(m.writes).toHaveLength(1);
  });

  it('half a frame then silence fails as bad-frame well before the timeout', async () => {
    // As above: a reply timeout the test cannot sit out.
    m = await mockBus({ replyTimeoutMs: 10 * 60_000, readRetries: 0, quietMs: 10 });
    m.board = () => m!.emit(fromHex('80 01'));
    await expect(m.bus.request(readReq(1))).rejects.toMatchObject({ code: 'bad-frame' });
    expect(m.bus.stats.timeouts).toBe(0);
  });

  it('keeps ≥ 3.5 character times + 1 ms between transactions (5 ms at 9600)', async () => {
    m = await mockBus();
    expect(m.bus.gapMs).toBe(5);
    const replies: number[] = [];
    m.board = (w) => {
      replies.push(performance.now());
      m!.emit(encodeShortReply(HEAD_STATUS, 1, w[2]!, true));
    };
    await Promise.all([m.bus.request(readReq(1)), m.bus.request(readReq(2)), m.bus.request(readReq(3))]);
    for (let i = 1; i < m.writes.length; i++) expect(m.writes[i]!.at - replies[i - 1]!).toBeGreaterThanOrEqual(4.5);
  });

  it('waits for quiet only for a variable-length read-all, then not once the length is known', async () => {
    m = await mockBus({ quietMs: 25 });
    m.board = () => m!.emit(fromHex('80 01 00 00 02 33 B0'));
    const t0 = performance.now();
    const first = await m.bus.request(readAllReq());
    expect(first?.status).toEqual(fromHex('00 00 02'));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(24); // it did wait for quiet
    await sleep(10);
    // Now the length is known: the frame is taken as its last byte arrives,
    // so bytes sent right after it are not part of the reply but unsolicited.
    // (Had the bus waited for quiet, they would have landed in the reply.)
    const trailing = fromHex('00 00');
    m.board = () => {
      m!.emit(fromHex('80 01 00 00 02 33 B0'));
      setImmediate(() => m!.emit(trailing));
    };
    const unsolicited = m.bus.stats.unsolicitedBytes;
    expect((await m.bus.request(readAllReq(7)))?.status).toEqual(fromHex('00 00 02'));
    await vi.waitFor(() => expect(m!.bus.stats.unsolicitedBytes).toBe(unsolicited + trailing.length));
  });

  it('finds a longer read-all reply that arrives in two bursts', async () => {
    m = await mockBus({ quietMs: 25 });
    const reply = fromHex('80 01 00 00 00 00 00 00 00 33 B2');
    m.board = () => {
      m!.emit(reply.subarray(0, 7));
      setTimeout(() => m!.emit(reply.subarray(7)), 10);
    };
    expect((await m.bus.request(readAllReq()))?.status.length).toBe(7);
  });

  it('counts and discards bytes that arrive between transactions', async () => {
    m = await mockBus();
    m.emit(fromHex('81 01 01 00 81'));
    await sleep(20);
    expect(m.bus.stats.unsolicitedBytes).toBe(5);
    m.board = () => m!.emit(fromHex('8A 01 01 00 8A'));
    await m.bus.request(openReq());
  });

  it('lets a command go ahead of queued polls', async () => {
    m = await mockBus();
    m.board = (w) => setTimeout(() => m!.emit(encodeShortReply(w[0]!, 1, w[2]!, false)), 5);
    const order: string[] = [];
    const polls = [1, 2, 3].map((l) => m!.bus.request(readReq(l, 1, 'poll')).then(() => order.push(`poll ${l}`)));
    await sleep(1);
    const open = m.bus.request(openReq(4)).then(() => order.push('open'));
    await Promise.all([...polls, open]);
    expect(order).toEqual(['poll 1', 'open', 'poll 2', 'poll 3']);
  });

  it('rejects in flight with port-gone on unplug, then not-connected at once', async () => {
    m = await mockBus({ replyTimeoutMs: 1000 });
    const pending = m.bus.request(openReq());
    await sleep(5);
    m.port.stream!.close(undefined, Object.assign(new Error('unplugged'), { disconnected: true }));
    await expect(pending).rejects.toMatchObject({ code: 'port-gone' });
    const writes = m.writes.length;
    await expect(m.bus.request(openReq())).rejects.toMatchObject({ code: 'not-connected' });
    expect(m.writes).toHaveLength(writes); // refused without touching the line
  });

  it('keeps the last frames for diagnostics', async () => {
    m = await mockBus();
    m.board = () => m!.emit(fromHex('FA 8A 01 01 00 8A'));
    await m.bus.request(openReq());
    expect(m.bus.frames().map((f) => [f.dir, f.hex, f.note])).toEqual([
      ['tx', '8a 01 01 11 9b', undefined],
      ['rx', 'fa', 'garbage'],
      ['rx', '8a 01 01 00 8a', undefined],
    ]);
  });

  it('refuses queued requests once closed', async () => {
    m = await mockBus({ replyTimeoutMs: 50 });
    const first = m.bus.request(openReq()).catch((e: unknown) => e);
    const queued = m.bus.request(openReq(2));
    m.bus.close();
    await expect(queued).rejects.toMatchObject({ code: 'bus-closed' });
    await first;
  });
});
