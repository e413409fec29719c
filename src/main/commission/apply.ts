import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { BOARD_PROTOCOLS, COMPARTMENT_SIZES } from '../../shared/domain.js';
import { CommissionError } from './errors.js';
import { commissionedText, readPrevious, writeConfigAtomically, type CommissionedBus } from './write-config.js';

export interface Applied {
  file: string;
  backup: string | null;
  /** `handed-over`: the proposal waits for the root-run apply unit (see `proposalPath`). */
  applied: 'written' | 'handed-over';
}

/**
 * Where an agent that may not write its configuration (the package's
 * /etc/cabinet-kiosk is read-only to it: ProtectSystem=strict, root-owned)
 * leaves what it commissioned. cabinet-kiosk-apply-config.path watches it and
 * runs `cabinet-kiosk setup --apply` as root, which writes the file and
 * restarts the agent.
 */
export function proposalPath(dataDir: string): string {
  return join(dataDir, 'commission', 'proposal.json');
}

/** A proposal carries the line and the door map only: the apply step takes nothing else from the agent. */
const proposalSchema = z.object({
  path: z.string().min(1).max(4096),
  baudRate: z.number().int().positive(),
  protocol: z.enum(BOARD_PROTOCOLS),
  boards: z.array(z.object({ address: z.number().int().min(0).max(247), locks: z.number().int().min(1).max(64) }).strict()).min(1).max(32),
  doors: z.array(z.object({ board: z.number().int(), lock: z.number().int(), compartment: z.string().min(1).max(32), size: z.enum(COMPARTMENT_SIZES) }).strict()).max(2048).nullable(),
}).strict();

/**
 * Writes what commissioning found into `file` (validated, the previous file
 * kept as a backup) when this process may; otherwise validates it the same
 * way and leaves it as the proposal for the apply unit.
 */
export function applyCommissioned(file: string, dataDir: string, bus: CommissionedBus, o: { mayReplace?: (file: string) => boolean } = {}): Applied {
  const text = commissionedText(readPrevious(file), file, bus);
  // Root may write anywhere, so a test of the hand-over says "may not" itself.
  if ((o.mayReplace ?? mayReplace)(file)) return { file, backup: writeConfigAtomically(file, text), applied: 'written' };
  const proposal = proposalPath(dataDir);
  mkdirSync(dirname(proposal), { recursive: true, mode: 0o700 });
  writeConfigAtomically(proposal, JSON.stringify(bus, null, 2) + '\n');
  return { file, backup: null, applied: 'handed-over' };
}

/**
 * `cabinet-kiosk setup --apply PROPOSAL`: what the apply unit runs as root.
 * Removes the proposal once written; one that does not validate is renamed
 * `<proposal>.rejected` (kept for a look, and the path unit does not fire
 * on it again and again).
 */
export function applyProposal(proposalFile: string, file: string): Applied {
  if (!existsSync(proposalFile)) throw new CommissionError('answers-invalid', `no proposal at ${proposalFile}`, 'commission from the screen (service mode, Setup) first');
  let text: string;
  try {
    let bus: CommissionedBus;
    try {
      bus = proposalSchema.parse(JSON.parse(readFileSync(proposalFile, 'utf8')));
    } catch (err) {
      throw new CommissionError('answers-invalid', `${proposalFile} is not a commissioning proposal: ${(err as Error).message}`, `commission from the screen again; the file is kept as ${proposalFile}.rejected`, { cause: err });
    }
    text = commissionedText(readPrevious(file), file, bus);
  } catch (err) {
    if (err instanceof CommissionError) renameSync(proposalFile, `${proposalFile}.rejected`);
    throw err;
  }
  const backup = writeConfigAtomically(file, text);
  rmSync(proposalFile, { force: true });
  return { file, backup, applied: 'written' };
}

/** The folder must take a new file and a rename: a writable file in a read-only folder cannot be replaced atomically. */
function mayReplace(file: string): boolean {
  try {
    accessSync(dirname(file), constants.W_OK);
    if (existsSync(file)) accessSync(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
