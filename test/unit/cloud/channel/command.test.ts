import { describe, expect, it } from 'vitest';
import {
  cabinetMessageSchema,
  commandResultSchema,
  commandSignature,
  commandSigningText,
  DEFAULT_REPLAY_WINDOW_MS,
  heartbeatSchema,
  signCommand,
  verifyCommand,
  type CommandVerdict,
  type UnsignedCommand,
} from '../../../../src/cloud/channel/command.js';

const SECRET = 'channel-test-secret-0001';
const ISSUED = 1_737_362_956_123;

/**
 * Self-derived vectors (our own protocol, README.md): the canonical text is
 * written out by hand and the HMAC computed with
 * `printf '%s' '<text>' | openssl dgst -sha256 -hmac channel-test-secret-0001 -hex`.
 */
const VECTORS = [
  {
    command: { id: 'cmd-0001', type: 'open', args: { compartment: 'A07' }, issuedAt: ISSUED },
    text: '{"args":{"compartment":"A07"},"id":"cmd-0001","issuedAt":1737362956123,"type":"open"}',
    signature: '98a80626a17f45335b46c4006b96717ce660763d31cd5bd852dba97a733b8ad9',
  },
  {
    command: { type: 'cancel-parcel', issuedAt: ISSUED, args: { reason: 'sender cancelled', parcelId: 'p-42' }, id: '018f3c1e-7b2a-7c4d-9e10-5a6b7c8d9e0f' },
    text: '{"args":{"parcelId":"p-42","reason":"sender cancelled"},"id":"018f3c1e-7b2a-7c4d-9e10-5a6b7c8d9e0f","issuedAt":1737362956123,"type":"cancel-parcel"}',
    signature: 'b0ecca6071096f0523b7073339827bfb4582bbad3b1fd6946db11b6987948e58',
  },
] as const;

function wire(command: UnsignedCommand, secret = SECRET): string {
  return JSON.stringify(signCommand(command, secret));
}

function refused(verdict: CommandVerdict): { code: string; id: string | null } {
  if (verdict.ok) throw new Error('expected a refusal');
  return { code: verdict.code, id: verdict.id };
}

describe('signing', () => {
  it.each(VECTORS)('vector $command.type: canonical text and hex signature', ({ command, text, signature }) => {
    expect(commandSigningText(command)).toBe(text);
    expect(commandSignature(command, SECRET)).toBe(signature);
    expect(signCommand(command, SECRET)).toEqual({ ...command, signature });
  });

  it('the example in README.md', () => {
    const example = { id: '0190a7f2-6c1e-7d3a-8b4f-2e5d6c7b8a90', type: 'open', args: { compartment: 'A07' }, issuedAt: ISSUED };
    expect(commandSignature(example, 'example-secret-do-not-use-0001')).toBe('5be427cd5892bb9f99933f37dfc0b1f2c024741f58a1a3265c65d4c4c7a86b4c');
  });

  it('signs only id, type, args and issuedAt: extra members of the input are not sent', () => {
    const extra = { ...VECTORS[0].command, note: 'x' } as UnsignedCommand;
    expect(Object.keys(signCommand(extra, SECRET)).sort()).toEqual(['args', 'id', 'issuedAt', 'signature', 'type']);
  });

  it('the vectors verify; whitespace and member order on the wire do not matter', () => {
    const v = VECTORS[1];
    const spaced = `{ "signature": "${v.signature}",\n "issuedAt": ${ISSUED}, "type": "cancel-parcel", "id": "${v.command.id}", "args": { "reason": "sender cancelled", "parcelId": "p-42" } }`;
    const verdict = verifyCommand(spaced, SECRET, ISSUED);
    expect(verdict).toEqual({ ok: true, command: { id: v.command.id, type: 'cancel-parcel', args: { parcelId: 'p-42', reason: 'sender cancelled' }, issuedAt: ISSUED } });
  });

  it('accepts the signature in upper-case hex and as bytes', () => {
    const upper = JSON.stringify({ ...VECTORS[0].command, signature: VECTORS[0].signature.toUpperCase() });
    expect(verifyCommand(upper, SECRET, ISSUED).ok).toBe(true);
    expect(verifyCommand(Buffer.from(upper), SECRET, ISSUED).ok).toBe(true);
  });
});

describe('verifyCommand refusals', () => {
  const open = VECTORS[0].command;

  it.each([
    ['not JSON', '{"id":', null],
    ['an array', '[]', null],
    ['no signature', JSON.stringify(open), 'cmd-0001'],
    ['a short signature', JSON.stringify({ ...open, signature: 'abcd' }), 'cmd-0001'],
    ['base64 instead of hex', JSON.stringify({ ...open, signature: Buffer.from(VECTORS[0].signature, 'hex').toString('base64') }), 'cmd-0001'],
    ['an unsigned extra member', JSON.stringify({ ...signCommand(open, SECRET), priority: 1 }), 'cmd-0001'],
    ['issuedAt as a string', JSON.stringify({ ...signCommand(open, SECRET), issuedAt: String(ISSUED) }), 'cmd-0001'],
    ['args as an array', JSON.stringify({ ...signCommand(open, SECRET), args: [] }), 'cmd-0001'],
    ['an empty id', JSON.stringify({ ...signCommand(open, SECRET), id: '' }), null],
  ])('malformed: %s', (_name, text, id) => {
    expect(refused(verifyCommand(text, SECRET, ISSUED))).toEqual({ code: 'malformed', id });
  });

  it('bad-signature: another secret, a changed arg, a changed id, a changed time', () => {
    const signed = signCommand(open, SECRET);
    expect(refused(verifyCommand(wire(open, 'another-secret-000000'), SECRET, ISSUED)).code).toBe('bad-signature');
    for (const tampered of [
      { ...signed, args: { compartment: 'A08' } },
      { ...signed, id: 'cmd-0002' },
      { ...signed, issuedAt: ISSUED + 1 },
      { ...signed, type: 'status', args: {} },
    ]) {
      expect(refused(verifyCommand(JSON.stringify(tampered), SECRET, ISSUED))).toEqual({ code: 'bad-signature', id: tampered.id });
    }
  });

  it('stale both ways, inclusive at the window edge', () => {
    const text = wire(open);
    expect(verifyCommand(text, SECRET, ISSUED + DEFAULT_REPLAY_WINDOW_MS).ok).toBe(true);
    expect(verifyCommand(text, SECRET, ISSUED - DEFAULT_REPLAY_WINDOW_MS).ok).toBe(true);
    expect(refused(verifyCommand(text, SECRET, ISSUED + DEFAULT_REPLAY_WINDOW_MS + 1)).code).toBe('stale');
    expect(refused(verifyCommand(text, SECRET, ISSUED - DEFAULT_REPLAY_WINDOW_MS - 1)).code).toBe('stale');
    expect(refused(verifyCommand(text, SECRET, ISSUED + 1001, 1000)).code).toBe('stale');
  });

  it('the signature is checked before the time: a forged old command says bad-signature', () => {
    expect(refused(verifyCommand(wire(open, 'another-secret-000000'), SECRET, ISSUED + 10 * DEFAULT_REPLAY_WINDOW_MS)).code).toBe('bad-signature');
  });

  it('unknown-type for a signed command of a type we do not have', () => {
    expect(refused(verifyCommand(wire({ id: 'x1', type: 'reboot', args: {}, issuedAt: ISSUED }), SECRET, ISSUED))).toEqual({ code: 'unknown-type', id: 'x1' });
  });

  it.each([
    ['open', {}],
    ['open', { compartment: '' }],
    ['open', { compartment: 7 }],
    ['open', { compartment: 'A07', force: true }],
    ['remote-pickup', { compartment: 'A07' }],
    ['cancel-parcel', { reason: 'x' }],
    ['set-code', { parcelId: 'p-1', code: '12ab' }],
    ['set-code', { parcelId: 'p-1', code: '1234567890123' }],
    ['set-code', { parcelId: 'p-1', code: '123456', validUntil: 1.5 }],
    ['sync-now', { now: true }],
    ['status', { verbose: true }],
  ])('bad-args: %s %j', (type, args) => {
    expect(refused(verifyCommand(wire({ id: 'a1', type, args, issuedAt: ISSUED }), SECRET, ISSUED))).toEqual({ code: 'bad-args', id: 'a1' });
  });

  it('refusal messages carry neither the secret nor the signature', () => {
    const signed = signCommand(open, 'another-secret-000000');
    const verdict = verifyCommand(JSON.stringify(signed), SECRET, ISSUED);
    expect(verdict.ok).toBe(false);
    const text = JSON.stringify(verdict);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(signed.signature);
  });
});

describe('verifyCommand accepts each type', () => {
  it.each([
    ['open', { compartment: 'A07' }],
    ['remote-pickup', { parcelId: 'p-1' }],
    ['cancel-parcel', { parcelId: 'p-1' }],
    ['cancel-parcel', { parcelId: 'p-1', reason: 'recalled' }],
    ['set-code', { parcelId: 'p-1', code: '123456' }],
    ['set-code', { parcelId: 'p-1', code: '123456', validUntil: ISSUED + 86_400_000 }],
    ['sync-now', {}],
    ['status', {}],
  ])('%s %j', (type, args) => {
    expect(verifyCommand(wire({ id: 'ok1', type, args, issuedAt: ISSUED }), SECRET, ISSUED)).toEqual({ ok: true, command: { id: 'ok1', type, args, issuedAt: ISSUED } });
  });

  it('args with nested values and numbers sign over their canonical form', () => {
    // 1.0 and 1 are one number; a cloud that writes 1.0 signs the same text.
    const text = `{"id":"n1","type":"status","args":{},"issuedAt":${ISSUED}.0,"signature":"${commandSignature({ id: 'n1', type: 'status', args: {}, issuedAt: ISSUED }, SECRET)}"}`;
    expect(verifyCommand(text, SECRET, ISSUED).ok).toBe(true);
  });
});

describe('result and heartbeat schemas', () => {
  it('results: success with data (absent data is null), failure with a code', () => {
    expect(commandResultSchema.parse({ id: 'c', ok: true, data: { opened: 'A07' } })).toEqual({ id: 'c', ok: true, data: { opened: 'A07' } });
    expect(commandResultSchema.parse({ id: 'c', ok: true })).toEqual({ id: 'c', ok: true, data: null });
    expect(commandResultSchema.parse({ id: null, ok: false, code: 'malformed', message: 'not JSON' })).toEqual({ id: null, ok: false, code: 'malformed', message: 'not JSON' });
    expect(commandResultSchema.safeParse({ id: null, ok: true, data: 1 }).success).toBe(false);
    expect(commandResultSchema.safeParse({ id: 'c', ok: false, code: 'Not A Code', message: '' }).success).toBe(false);
    expect(commandResultSchema.safeParse({ id: 'c', ok: false, code: 'x', message: '', extra: 1 }).success).toBe(false);
  });

  const heartbeat = {
    type: 'heartbeat',
    at: ISSUED,
    appVersion: '0.1.0',
    doors: [
      { compartment: 'A01', door: 'closed' },
      { compartment: 'A02', door: 'open' },
    ],
    outbox: { depth: 3, oldestPendingAgeMs: 120_000 },
    quickCheck: { ok: true, detail: ['ok'] },
  };

  it('heartbeat: the issue-4 facts, strict', () => {
    expect(heartbeatSchema.parse(heartbeat)).toEqual(heartbeat);
    expect(heartbeatSchema.parse({ ...heartbeat, outbox: { depth: 0, oldestPendingAgeMs: null } }).outbox.oldestPendingAgeMs).toBeNull();
    expect(heartbeatSchema.safeParse({ ...heartbeat, doors: [{ compartment: 'A01', door: 'ajar' }] }).success).toBe(false);
    expect(heartbeatSchema.safeParse({ ...heartbeat, cpu: 3 }).success).toBe(false);
  });

  it('a cabinet message is one or the other', () => {
    expect(cabinetMessageSchema.parse(heartbeat)).toEqual(heartbeat);
    expect(cabinetMessageSchema.parse({ id: 'c', ok: true, data: null })).toEqual({ id: 'c', ok: true, data: null });
    expect(cabinetMessageSchema.safeParse({ type: 'hello' }).success).toBe(false);
  });
});
