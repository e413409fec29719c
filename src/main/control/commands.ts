import { z } from 'zod';
import { COMPARTMENT_SIZES } from '../../shared/domain.js';
import { KioskError } from '../../shared/errors.js';
import * as store from '../../store/index.js';
import type { Agent } from '../agent.js';
import { withTimeout } from '../util/with-timeout.js';
import { statusOf } from './status.js';

const DEFAULT_DEPOSIT_WAIT_MS = 120_000;

/**
 * The local control API's commands: the CLI sends these to a running agent,
 * or runs them in-process when none runs. Inputs are validated with zod at the
 * socket; handlers only call the Kiosk use-cases and the store's read models.
 */
export const controlCommands = {
  status: {
    input: z.object({}).strict(),
    run: (agent: Agent) => statusOf(agent),
  },
  open: {
    input: z.object({ compartment: z.string().min(1), actor: z.string().default('technician:cli') }).strict(),
    run: (agent: Agent, i: { compartment: string; actor: string }) => agent.kiosk.openCompartment(i.compartment, i.actor),
  },
  pickup: {
    input: z.object({ code: z.string().min(1).max(32) }).strict(),
    run: (agent: Agent, i: { code: string }) => agent.kiosk.pickup(i.code, 'cli'),
  },
  deposit: {
    input: z
      .object({
        compartment: z.string().min(1).optional(),
        size: z.enum(COMPARTMENT_SIZES).optional(),
        courier: z.string().max(64).optional(),
        trackingNo: z.string().max(64).optional(),
        waitMs: z.number().int().positive().max(3_600_000).default(DEFAULT_DEPOSIT_WAIT_MS),
      })
      .strict()
      .refine((i) => !(i.compartment && i.size), { message: 'give a compartment or a size, not both' }),
    run: async (agent: Agent, i: { compartment?: string | undefined; size?: (typeof COMPARTMENT_SIZES)[number] | undefined; courier?: string | undefined; trackingNo?: string | undefined; waitMs: number }) => {
      const ticket = await agent.kiosk.startDropoff({
        compartmentId: i.compartment,
        size: i.size,
        courier: i.courier ?? null,
        trackingNo: i.trackingNo ?? null,
        actor: `courier:${i.courier ?? 'cli'}`,
      });
      return withTimeout(ticket.stored, i.waitMs, () =>
        new KioskError('door-still-open', `compartment ${ticket.compartmentId} is open and not closed yet; the parcel is stored when it closes`, { compartmentId: ticket.compartmentId, parcelId: ticket.parcelId }),
      );
    },
  },
  return: {
    input: z.object({ compartment: z.string().min(1), actor: z.string().default('employee:cli') }).strict(),
    run: (agent: Agent, i: { compartment: string; actor: string }) => agent.kiosk.returnParcel(i.compartment, i.actor),
  },
  service: {
    input: z.object({ compartment: z.string().min(1), outOfService: z.boolean(), reason: z.string().max(200).nullable().default(null), actor: z.string().default('technician:cli') }).strict(),
    run: (agent: Agent, i: { compartment: string; outOfService: boolean; reason: string | null; actor: string }) => {
      agent.kiosk.setOutOfService(i.compartment, i.outOfService, i.reason, i.actor);
      return { compartment: i.compartment, outOfService: i.outOfService };
    },
  },
  outbox: {
    input: z.object({}).strict(),
    run: (agent: Agent) => store.outboxStats(agent.db, Date.now()),
  },
  'codes-cancel': {
    input: z.object({ compartment: z.string().min(1) }).strict(),
    run: (agent: Agent, i: { compartment: string }) => agent.cloud.cancelVendorCodes(i.compartment, 'technician:cli'),
  },
  'outbox-retry': {
    input: z.object({ destination: z.string().optional() }).strict(),
    run: (agent: Agent, i: { destination?: string | undefined }) => {
      agent.cloud.resumePaused();
      return { retried: agent.kiosk.retryDeadOutbox('technician:cli', i.destination) };
    },
  },
} as const;

export type ControlCommand = keyof typeof controlCommands;
export const CONTROL_COMMANDS = Object.keys(controlCommands) as ControlCommand[];

export function isControlCommand(name: string): name is ControlCommand {
  return Object.hasOwn(controlCommands, name);
}

/** Validates the input and runs one command against an agent. Throws KioskError('bad-request') on bad input. */
export async function runControlCommand(agent: Agent, name: ControlCommand, input: unknown): Promise<unknown> {
  const command = controlCommands[name];
  const parsed = command.input.safeParse(input ?? {});
  if (!parsed.success) {
    throw new KioskError('bad-request', parsed.error.issues.map((i) => `${i.path.join('.') || name}: ${i.message}`).join('; '));
  }
  return (command.run as (a: Agent, i: unknown) => Promise<unknown> | unknown)(agent, parsed.data);
}
