import { z } from 'zod';
import { COMPARTMENT_SIZES } from '../../shared/domain.js';
import { KioskError } from '../../shared/errors.js';
import * as store from '../../store/index.js';
import type { Agent } from '../agent.js';
import { withTimeout } from '../util/with-timeout.js';
import type { ControlCaller } from '../caller.js';
import type { ControlCommand } from '../control-protocol/commands.js';
import { statusOf } from '../status.js';

const DEFAULT_DEPOSIT_WAIT_MS = 120_000;
/** Dead and skipped rows `outbox` lists, of each state, newest first. */
const OUTBOX_UNSENT_LIMIT = 100;
/**
 * The caller's own words for the audit log ("replacing hinge, ticket 4411").
 * Never the actor: that comes from the socket's owner (caller.ts), and an
 * `actor` key in a request is refused as unknown.
 */
const note = z.string().min(1).max(200).optional();

/**
 * The local control API's commands: the CLI sends these to a running agent,
 * or runs them in-process when none runs. Inputs are validated with zod at the
 * socket; handlers only call the Kiosk use-cases and the store's read models.
 * Every change is audited under `caller.actor`.
 */
export const controlCommands = {
  status: {
    input: z.object({}).strict(),
    run: (agent: Agent) => statusOf(agent),
  },
  open: {
    input: z.object({ compartment: z.string().min(1), note }).strict(),
    run: (agent: Agent, i: { compartment: string }, caller: ControlCaller) => agent.kiosk.openCompartment(i.compartment, caller.actor),
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
        note,
      })
      .strict()
      .refine((i) => !(i.compartment && i.size), { message: 'give a compartment or a size, not both' }),
    run: async (agent: Agent, i: { compartment?: string | undefined; size?: (typeof COMPARTMENT_SIZES)[number] | undefined; courier?: string | undefined; trackingNo?: string | undefined; waitMs: number }, caller: ControlCaller) => {
      const ticket = await agent.kiosk.startDropoff({
        compartmentId: i.compartment,
        size: i.size,
        courier: i.courier ?? null,
        trackingNo: i.trackingNo ?? null,
        // The courier's name is the parcel's record, not proof of who ran the command.
        actor: caller.actor,
      });
      return withTimeout(ticket.stored, i.waitMs, () =>
        new KioskError('door-still-open', `compartment ${ticket.compartmentId} is open and not closed yet; the parcel is stored when it closes`, { compartmentId: ticket.compartmentId, parcelId: ticket.parcelId }),
      );
    },
  },
  return: {
    input: z.object({ compartment: z.string().min(1), note }).strict(),
    run: (agent: Agent, i: { compartment: string }, caller: ControlCaller) => agent.kiosk.returnParcel(i.compartment, caller.actor),
  },
  service: {
    input: z.object({ compartment: z.string().min(1), outOfService: z.boolean(), reason: z.string().max(200).nullable().default(null), note }).strict(),
    run: (agent: Agent, i: { compartment: string; outOfService: boolean; reason: string | null }, caller: ControlCaller) => {
      agent.kiosk.setOutOfService(i.compartment, i.outOfService, i.reason, caller.actor);
      return { compartment: i.compartment, outOfService: i.outOfService };
    },
  },
  outbox: {
    input: z.object({}).strict(),
    run: (agent: Agent) => {
      const now = Date.now();
      // The counts, and each dead or skipped row with its destination, reason and age: what a technician judges before a retry.
      // And what vendors later said about events they took (a Dingshang delivery result), newest first.
      return { ...store.outboxStats(agent.db, now), unsent: store.listUnsent(agent.db, now, OUTBOX_UNSENT_LIMIT), reported: store.listVendorResults(agent.db, OUTBOX_UNSENT_LIMIT) };
    },
  },
  'codes-cancel': {
    input: z.object({ compartment: z.string().min(1), note }).strict(),
    run: (agent: Agent, i: { compartment: string }, caller: ControlCaller) => agent.cloud.cancelVendorCodes(i.compartment, caller.actor),
  },
  'outbox-retry': {
    input: z.object({ destination: z.string().optional(), note }).strict(),
    run: (agent: Agent, i: { destination?: string | undefined }, caller: ControlCaller) => {
      agent.cloud.resumePaused();
      return { retried: agent.kiosk.retryDeadOutbox(caller.actor, i.destination) };
    },
  },
} satisfies Record<ControlCommand, unknown>;

export async function runControlCommand(agent: Agent, name: ControlCommand, input: unknown, caller: ControlCaller): Promise<unknown> {
  const command = controlCommands[name];
  const parsed = command.input.safeParse(input ?? {});
  if (!parsed.success) {
    throw new KioskError('bad-request', parsed.error.issues.map((i) => `${i.path.join('.') || name}: ${i.message}`).join('; '));
  }
  const data = parsed.data as Record<string, unknown>;
  const run = command.run as (a: Agent, i: unknown, c: ControlCaller) => Promise<unknown> | unknown;
  if (typeof data['note'] !== 'string') return run(agent, data, caller);
  let outcome = 'ok';
  try {
    return await run(agent, data, caller);
  } catch (err) {
    outcome = typeof (err as { code?: unknown }).code === 'string' ? String((err as { code: string }).code) : 'failed';
    throw err;
  } finally {
    const compartmentId = typeof data['compartment'] === 'string' ? data['compartment'] : null;
    store.appendAudit(agent.db, { at: Date.now(), actor: caller.actor, action: 'control.note', compartmentId, detail: { command: name, note: data['note'], outcome } });
  }
}
