import { COMPARTMENT_SIZES } from '../shared/domain.js';
import type { FlowPolicy } from './context.js';

/** The flows' rules from the configuration's `pickup` and `lockout` sections. */
export function flowPolicy(config: {
  pickup: { graceMs: number; codeDigits: number; parcelTtlHours: number };
  lockout: FlowPolicy['lockout'] & { refusalFloorMs: number };
  storage: { reserveMb: number };
}): FlowPolicy {
  const { refusalFloorMs, ...lockout } = config.lockout;
  return {
    graceMs: config.pickup.graceMs,
    codeDigits: config.pickup.codeDigits,
    parcelTtlMs: Math.round(config.pickup.parcelTtlHours * 3_600_000),
    lockout,
    sizes: COMPARTMENT_SIZES,
    storageReserveBytes: Math.round(config.storage.reserveMb * 1024 * 1024),
    refusalFloorMs,
  };
}
