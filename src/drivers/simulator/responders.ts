import type { BoardProtocol } from '../../shared/domain.js';
import { toHex, type DecodeResult } from '../codec.js';
import { activeFromDoor } from '../feedback.js';
import { decodeFrame as decodeKerong, encodeStatusReply, type KerongFrame } from '../kerong-cu/codec.js';
import { ADDR_ALL_BOARDS, CMD_STATUS, CMD_STATUS_ALL_BOARDS, CMD_UNLOCK, CMD_UNLOCK_ALL, REPLY_SCAN } from '../kerong-cu/constants.js';
import { decodeFrame as decodeModbus, encodeBitsReply, encodeException, type ModbusFrame } from '../modbus-relay/codec.js';
import {
  ALL_RELAYS_ADDRESS, COIL_ON, EXCEPTION_ILLEGAL_ADDRESS, EXCEPTION_ILLEGAL_FUNCTION, FC_READ_COILS, FC_READ_DISCRETE_INPUTS,
  FC_WRITE_SINGLE_COIL, FLASH_OFF_BASE, FLASH_ON_BASE,
} from '../modbus-relay/constants.js';
import { decodeRequest as decodeXor, encodeReadAllReply, encodeShortReply, type XorBatchFrame, type XorShortFrame } from '../xor-8a/codec.js';
import { CHANNEL_ALL, FN_OPEN, FN_STATUS, HEAD_OPEN, HEAD_STATUS } from '../xor-8a/constants.js';
import type { BoardModel, SimBoardSpec } from './board-model.js';

export type SimRequestKind = 'open' | 'open-all' | 'read' | 'read-all' | 'other';

export interface SimAnswer {
  kind: SimRequestKind;
  board: number;
  lock?: number;
  /** Built lazily by whoever logs it. */
  describe(): string;
  /** `null`: the board stays silent. Called after faults decided whether pulses work. */
  reply(): Buffer | null;
  /** Board-side processing time before the reply (open-all pulses one lock after another). */
  delayMs: number;
}

export interface SimContext {
  model: BoardModel;
  /** Fires the coil; the simulator's `still-locked` fault makes it a no-op. */
  pulse(board: number, lock: number): void;
  openAllStepMs: number;
}

export interface Responder {
  decode(buf: Uint8Array): DecodeResult<unknown>;
  /** `null` when the frame is not addressed to one of this protocol's boards. */
  answer(frame: unknown, ctx: SimContext): SimAnswer | null;
}

const specOf = (ctx: SimContext, address: number, protocol: BoardProtocol): SimBoardSpec | undefined => {
  const spec = ctx.model.board(address);
  return spec?.protocol === protocol ? spec : undefined;
};
const active = (ctx: SimContext, spec: SimBoardSpec, lock: number) => activeFromDoor(ctx.model.isOpen(spec.address, lock), spec.feedbackPolarity);
const allActive = (ctx: SimContext, spec: SimBoardSpec) => Array.from({ length: spec.locks }, (_, i) => active(ctx, spec, i + 1));
const answer = (kind: SimRequestKind, board: number, lock: number | undefined, text: string, reply: () => Buffer | null, delayMs = 0): SimAnswer => ({
  kind, board, ...(lock === undefined ? {} : { lock }), describe: () => text, reply, delayMs,
});

/** Protocol A board firmware (docs/lock-boards.md §A.4/§A.5). */
export const xorResponder: Responder = {
  decode: decodeXor,
  answer(raw, ctx) {
    const frame = raw as XorShortFrame | XorBatchFrame;
    const spec = specOf(ctx, frame.address, 'xor-8a');
    if (!spec) return null;
    if (frame.kind === 'batch') return answer('other', spec.address, undefined, `batch open ${toHex(frame.bitmap)}`, () => null);
    if (frame.head === HEAD_OPEN && frame.value === FN_OPEN) return xorOpen(frame.channel, spec, ctx);
    if (frame.head === HEAD_STATUS && frame.value === FN_STATUS) return xorRead(frame.channel, spec, ctx);
    return answer('other', spec.address, undefined, `unanswered ${toHex(frame.bytes)}`, () => null);
  },
};

function xorOpen(channel: number, spec: SimBoardSpec, ctx: SimContext): SimAnswer {
  const n = spec.address;
  if (channel === CHANNEL_ALL) {
    // §A.5: the board pulses one lock after another and answers when done; the reply's status byte is not documented (00 sent).
    return answer('open-all', n, undefined, 'open all', () => {
      for (let lock = 1; lock <= spec.locks; lock++) ctx.pulse(n, lock);
      return encodeShortReply(HEAD_OPEN, n, CHANNEL_ALL, false);
    }, spec.locks * ctx.openAllStepMs);
  }
  if (channel > spec.locks) return answer('other', n, channel, `unknown channel ${channel}`, () => null);
  return answer('open', n, channel, `open lock ${channel}`, () => {
    ctx.pulse(n, channel);
    return encodeShortReply(HEAD_OPEN, n, channel, active(ctx, spec, channel));
  });
}

function xorRead(channel: number, spec: SimBoardSpec, ctx: SimContext): SimAnswer {
  const n = spec.address;
  if (channel === CHANNEL_ALL) {
    const statusBytes = spec.statusBytes ?? Math.max(3, Math.ceil(spec.locks / 8));
    return answer('read-all', n, undefined, 'read all', () => encodeReadAllReply(n, allActive(ctx, spec), statusBytes, spec.statusByteOrder ?? 'nearest-marker-first'));
  }
  if (channel > spec.locks) return answer('other', n, channel, `unknown channel ${channel}`, () => null);
  return answer('read', n, channel, `read lock ${channel}`, () => encodeShortReply(HEAD_STATUS, n, channel, active(ctx, spec, channel)));
}

/** Protocol B board firmware (docs/lock-boards.md §B.4/§B.5). */
export const kerongResponder: Responder = {
  decode: decodeKerong,
  answer(raw, ctx) {
    const frame = raw as KerongFrame;
    if (frame.cmd === CMD_STATUS_ALL_BOARDS && frame.address === ADDR_ALL_BOARDS) {
      const specs = ctx.model.boards().filter((b) => b.protocol === 'kerong-cu');
      return answer('other', ADDR_ALL_BOARDS, undefined, 'bus scan', () => Buffer.concat(specs.map((s) => encodeStatusReply(s.address, allActive(ctx, s), [], REPLY_SCAN))));
    }
    const spec = specOf(ctx, frame.board, 'kerong-cu');
    if (!spec) return null;
    const status = () => encodeStatusReply(spec.address, allActive(ctx, spec));
    const afterUnlock = () => (spec.unlockReply === 'status' ? status() : null);
    const lock = frame.lockIndex + 1;
    switch (frame.cmd) {
      case CMD_STATUS:
        return answer('read-all', spec.address, undefined, 'status', status);
      case CMD_UNLOCK:
        if (lock > spec.locks) return answer('other', spec.address, lock, `unknown lock ${lock}`, () => null);
        return answer('open', spec.address, lock, `unlock lock ${lock}`, () => (ctx.pulse(spec.address, lock), afterUnlock()));
      case CMD_UNLOCK_ALL:
        return answer('open-all', spec.address, undefined, 'unlock all', () => {
          for (let l = 1; l <= spec.locks; l++) ctx.pulse(spec.address, l);
          return afterUnlock();
        }, spec.locks * ctx.openAllStepMs);
      default:
        return answer('other', spec.address, undefined, `unanswered ${toHex(frame.bytes)}`, () => null);
    }
  },
};

/** Protocol C board firmware: a Waveshare-style Modbus relay board (docs/lock-boards.md §C.2). */
export const modbusResponder: Responder = {
  decode: (buf) => decodeModbus(buf, { direction: 'request' }),
  answer(raw, ctx) {
    const frame = raw as ModbusFrame;
    const spec = specOf(ctx, frame.slave, 'modbus-relay');
    if (!spec || frame.kind !== 'address-value') return null;
    const { slave, fc, address, value } = frame;
    const echo = () => frame.bytes;
    const refuse = (code: number) => () => encodeException(slave, fc, code);
    if (fc === FC_WRITE_SINGLE_COIL) {
      const relay = (address & 0xff) + 1;
      const inRange = relay <= spec.locks;
      if (address === ALL_RELAYS_ADDRESS) return answer('other', slave, undefined, 'all relays off', echo);
      if ((address & 0xff00) === FLASH_ON_BASE && inRange) {
        return answer('open', slave, relay, `pulse relay ${relay} for ${value * 100} ms`, () => (ctx.pulse(slave, relay), echo()));
      }
      if ((address & 0xff00) === FLASH_OFF_BASE && inRange) return answer('other', slave, relay, `flash-off relay ${relay}`, echo);
      if (address < spec.locks) {
        return answer(value === COIL_ON ? 'open' : 'other', slave, relay, `relay ${relay} ${value === COIL_ON ? 'on' : 'off'}`, () => {
          if (value === COIL_ON) ctx.pulse(slave, relay);
          return echo();
        });
      }
      return answer('other', slave, undefined, `coil 0x${address.toString(16)} out of range`, refuse(EXCEPTION_ILLEGAL_ADDRESS));
    }
    if (fc === FC_READ_DISCRETE_INPUTS || fc === FC_READ_COILS) {
      if (value < 1 || address + value > spec.locks) return answer('other', slave, undefined, 'read out of range', refuse(EXCEPTION_ILLEGAL_ADDRESS));
      const single = value === 1 ? address + 1 : undefined;
      const bits = () => (fc === FC_READ_COILS ? Array.from({ length: value }, () => false) : allActive(ctx, spec).slice(address, address + value));
      return answer(single ? 'read' : 'read-all', slave, single, `read ${fc === FC_READ_COILS ? 'relays' : 'inputs'} ${address + 1}…${address + value}`, () => encodeBitsReply(slave, fc, bits()));
    }
    return answer('other', slave, undefined, `function ${fc}`, refuse(EXCEPTION_ILLEGAL_FUNCTION));
  },
};

export const RESPONDERS: Record<BoardProtocol, Responder> = { 'xor-8a': xorResponder, 'kerong-cu': kerongResponder, 'modbus-relay': modbusResponder };
