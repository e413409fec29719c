/**
 * The six door flows the custody matrix runs, each as: a clean setup, the one
 * call a fault is injected into, and what a person does afterwards (types the
 * code again, closes the door, answers a check). Every answer is judged on the
 * spot against the simulator's record of the wire (wire.ts).
 */
import type { SimulatorHandle } from '../../../src/drivers/index.js';
import type { AgentHandle, CallResult, KillStep, KioskMethod } from './agent-handle.js';
import { compartmentOf, WAIT_MS } from './cabinet.js';
import type { WireLog } from './wire.js';

export const FLOWS = ['pickup', 'grace-reopen', 'dropoff', 'return', 'technician', 'remote'] as const;
export type FlowName = (typeof FLOWS)[number];

/** The compartment each case works on, and one holding a decoy parcel whose door must never open. */
export const TARGET = 'C1';
export const DECOY = 'C2';

export interface Cabinet {
  sim: SimulatorHandle;
  wire: WireLog;
}

export interface CaseRecord {
  flow: FlowName;
  fault: string;
  /** Rendered answers in order, e.g. `unknown(left 1)`, `code-open-limit`. */
  answers: string[];
  problems: string[];
  /** Codes a person was shown (a drop-off's `stored`, a check answered Yes). */
  seenCodes: Set<string>;
  /** Open frames on the target lock while the flow ran (for code flows: while its code was used). */
  frames: number;
  final: string;
}

export interface CaseContext {
  h: AgentHandle;
  cab: Cabinet;
  rec: CaseRecord;
  /** Wire position where the flow under test began… */
  from: number;
  /** …and where it ended (before a check's freshly issued code is tried). */
  until?: number;
  code?: string;
  parcelId?: string;
  /** Set once an answer left the code with no opens: the next try must be refused. */
  exhausted?: boolean;
}

export function newRecord(flow: FlowName, fault: string): CaseRecord {
  return { flow, fault, answers: [], problems: [], seenCodes: new Set(), frames: 0, final: '' };
}

const door = (id: string) => compartmentOf(id);

export function closeDoor(cab: Cabinet, id: string): void {
  const { board, lock } = door(id);
  cab.sim.model.closeDoor(board, lock);
}

function render(r: CallResult): string {
  if (!r.ok) return r.code === 'harness:killed' ? 'SIGKILL' : r.code;
  const v = r.value as Record<string, unknown> | null;
  const outcome = typeof v?.['outcome'] === 'string' ? v['outcome'] : 'ok';
  const left = typeof v?.['opensLeft'] === 'number' ? `(left ${v['opensLeft']})` : '';
  return `${outcome}${left}${v?.['reopened'] === true ? ' re-open' : ''}`;
}

export function valueOf(r: CallResult): Record<string, unknown> {
  if (!r.ok) throw new Error(`expected an answer, got ${r.code}: ${r.message}`);
  return (r.value ?? {}) as Record<string, unknown>;
}

/**
 * One call, judged: an `opened` answer needs a pulse that released the lock
 * in its window, a `not-opened` one must have none (invariant 3); a pickup
 * after the code's last open must be refused `code-open-limit`.
 */
export async function runOp(c: CaseContext, method: KioskMethod, args: unknown[], opts: { killAt?: KillStep; label?: string } = {}): Promise<CallResult> {
  const { board, lock } = door(TARGET);
  const before = c.cab.wire.mark();
  const r = await c.h.call(method, args, opts);
  const label = opts.label ? `${opts.label} ` : '';
  c.rec.answers.push(`${label}${render(r)}`);
  if (!r.ok && r.code.startsWith('internal:')) c.rec.problems.push(`${method} threw ${r.code}: ${r.message}`);
  const outcome = r.ok ? (r.value as Record<string, unknown> | null)?.['outcome'] : undefined;
  if (r.ok && method !== 'needsCheck' && method !== 'answerCheck' && method !== 'cancelParcel' && method !== 'whenStored' && outcome === undefined) {
    c.rec.problems.push(`${method} answered without an outcome: ${JSON.stringify(r.value)}`);
  }
  const released = c.cab.wire.released(before, board, lock);
  if (outcome === 'opened' && !released) c.rec.problems.push(`${method} answered opened but no pulse released lock ${board}/${lock}`);
  if (outcome === 'not-opened' && released) c.rec.problems.push(`${method} answered not-opened but the door did open`);
  if (method === 'pickup') {
    // Refused either way; which refusal (collected or not) is judged against the parcel's state (judge.ts).
    if (c.exhausted && (r.ok || (r.code !== 'code-open-limit' && r.code !== 'code-used'))) c.rec.problems.push(`the code had no opens left, yet pickup answered ${render(r)}`);
    if (r.ok) {
      const v = r.value as Record<string, unknown>;
      if (v['compartmentId'] !== TARGET) c.rec.problems.push(`code of the parcel in ${TARGET} answered compartment ${String(v['compartmentId'])}`);
      if (v['opensLeft'] === 0) c.exhausted = true;
    }
  }
  return r;
}

async function storeParcel(c: CaseContext, compartmentId: string): Promise<{ parcelId: string; code: string }> {
  const ticket = valueOf(await c.h.call('startDropoff', [{ compartmentId, actor: 'courier:custody', courier: 'CUSTODY' }]));
  if (ticket['outcome'] !== 'opened') throw new Error(`setup drop-off into ${compartmentId} answered ${String(ticket['outcome'])}`);
  closeDoor(c.cab, compartmentId);
  const stored = valueOf(await c.h.call('whenStored', [ticket['parcelId']]));
  const code = String(stored['code']);
  c.rec.seenCodes.add(code);
  return { parcelId: String(stored['parcelId']), code };
}

export interface FlowScript {
  name: FlowName;
  /** The flow answers with a pickup code's budget (invariant 2 counts its frames). */
  codeFlow: boolean;
  setup(c: CaseContext): Promise<void>;
  /** The call a fault is injected into. */
  op(c: CaseContext): { method: KioskMethod; args: unknown[] };
}

export const SCRIPTS: Record<FlowName, FlowScript> = {
  pickup: {
    name: 'pickup',
    codeFlow: true,
    async setup(c) {
      await storeParcel(c, DECOY);
      Object.assign(c, await storeParcel(c, TARGET));
      c.from = c.cab.wire.mark();
    },
    op: (c) => ({ method: 'pickup', args: [c.code, 'keypad'] }),
  },
  'grace-reopen': {
    name: 'grace-reopen',
    codeFlow: true,
    async setup(c) {
      await storeParcel(c, DECOY);
      Object.assign(c, await storeParcel(c, TARGET));
      c.from = c.cab.wire.mark();
      const first = await runOp(c, 'pickup', [c.code, 'keypad'], { label: 'first' });
      if (!first.ok || valueOf(first)['outcome'] !== 'opened') throw new Error(`setup pickup answered ${c.rec.answers.at(-1)}`);
      closeDoor(c.cab, TARGET);
    },
    op: (c) => ({ method: 'pickup', args: [c.code, 'keypad'] }),
  },
  dropoff: {
    name: 'dropoff',
    codeFlow: false,
    async setup(c) {
      c.from = c.cab.wire.mark();
    },
    op: () => ({ method: 'startDropoff', args: [{ compartmentId: TARGET, actor: 'courier:custody', courier: 'CUSTODY' }] }),
  },
  return: {
    name: 'return',
    codeFlow: false,
    async setup(c) {
      Object.assign(c, await storeParcel(c, TARGET));
      valueOf(await c.h.call('cancelParcel', [c.parcelId, 'custody harness', 'operator:custody']));
      c.from = c.cab.wire.mark();
    },
    op: () => ({ method: 'returnParcel', args: [TARGET, 'courier:custody'] }),
  },
  technician: openWithParcelInside('technician', 'technician:custody'),
  remote: openWithParcelInside('remote', 'operator:custody'),
};

/**
 * A technician's or the operator's open of a compartment with a stored parcel
 * behind the door: what custody is about (an empty compartment has nothing to strand).
 */
function openWithParcelInside(kind: 'technician' | 'remote', actor: string): FlowScript {
  return {
    name: kind,
    codeFlow: false,
    async setup(c) {
      Object.assign(c, await storeParcel(c, TARGET));
      c.from = c.cab.wire.mark();
    },
    op: () => ({ method: 'openCompartment', args: [TARGET, actor, kind] }),
  };
}

/**
 * What a person does after the faulted call (faults cleared): the customer
 * types the code again until it is refused; the courier shuts the door and
 * waits for the code; anyone finding the compartment on the check list answers it.
 */
export async function followUp(c: CaseContext, script: FlowScript, first: CallResult | undefined): Promise<void> {
  closeDoor(c.cab, TARGET);
  if (script.codeFlow) {
    for (let i = 0; i < 3; i++) {
      const r = await runOp(c, 'pickup', [c.code, 'keypad'], { label: 'again' });
      if (!r.ok) break;
      closeDoor(c.cab, TARGET);
    }
    return;
  }
  if (script.name === 'dropoff' && first?.ok && valueOf(first)['outcome'] === 'opened') {
    const stored = await withTimeout(c.h.call('whenStored', [valueOf(first)['parcelId']]), WAIT_MS, 'the drop-off was never stored after its door closed');
    c.rec.answers.push(stored.ok ? 'stored' : stored.code);
    if (stored.ok) c.rec.seenCodes.add(String(valueOf(stored)['code']));
  }
  await answerChecks(c, script);
}

/** Answers the target's check like the person at the door (parcelInside), then tries the parcel's code. */
export async function answerChecks(c: CaseContext, script: FlowScript): Promise<void> {
  const checks = await c.h.call('needsCheck', []);
  if (!checks.ok) return;
  const list = (checks.value ?? []) as Array<Record<string, unknown>>;
  if (!list.some((x) => x['compartmentId'] === TARGET)) return;
  const inside = parcelInside(c, script);
  const answer = await runOp(c, 'answerCheck', [TARGET, inside, 'courier:custody'], { label: `check ${inside ? 'Yes' : 'No'}:` });
  if (!answer.ok) return;
  const v = valueOf(answer);
  c.rec.answers[c.rec.answers.length - 1] += ` ${String(v['resolution'])}`;
  // A parcel left behind for its return has no working code (it was cancelled); nothing else to try.
  if (!inside || script.name === 'return') return;
  // The parcel's code works after the check: the one shown now (a drop-off), or the one it always had.
  const code = typeof v['code'] === 'string' ? v['code'] : script.name === 'dropoff' ? undefined : c.code;
  if (code === undefined) return void c.rec.problems.push(`check answered Yes on a drop-off issued no code: ${JSON.stringify(v)}`);
  c.rec.seenCodes.add(code);
  c.until = c.cab.wire.mark();
  const r = await c.h.call('pickup', [code, 'keypad']);
  c.rec.answers.push(`its code: ${render(r)}`);
  if (!r.ok || valueOf(r)['compartmentId'] !== TARGET || valueOf(r)['outcome'] !== 'opened') c.rec.problems.push(`the parcel's code did not open ${TARGET} after the check: ${render(r)}`);
  closeDoor(c.cab, TARGET);
}

/**
 * What the person at the check finds: a courier's parcel only if the door ever
 * released; a returned parcel gone if it did (the courier took it); a
 * technician or operator leaves the parcel where it was.
 */
function parcelInside(c: CaseContext, script: FlowScript): boolean {
  const { board, lock } = door(TARGET);
  const released = c.cab.wire.released(c.from, board, lock);
  switch (script.name) {
    case 'dropoff':
      return released;
    case 'return':
      return !released;
    case 'technician':
    case 'remote':
      return true;
    case 'pickup':
    case 'grace-reopen':
      return false;
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} (waited ${ms} ms)`)), ms))),
  ]);
}
