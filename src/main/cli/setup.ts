import { createInterface } from 'node:readline';
import { applyProposal } from '../commission/apply.js';
import { CommissionError, exitCodeOf } from '../commission/errors.js';
import { lineAsker } from '../commission/map-doors.js';
import { runSetup, type SetupOptions } from '../commission/run-setup.js';

/**
 * `cabinet-kiosk setup`: the technician's terminal (or a pipe) answers the
 * door map line by line; `--answers FILE` answers without asking. Progress
 * goes to stderr with `--json`, so stdout holds one JSON result.
 */
export async function runSetupCommand(o: SetupOptions, json: boolean): Promise<number> {
  const say = (line: string) => (json ? process.stderr : process.stdout).write(line + '\n');
  const rl = o.answersFile || !o.map ? null : createInterface({ input: process.stdin, terminal: false });
  const queue: string[] = [];
  const waiting: Array<(l: string | null) => void> = [];
  let ended = false;
  rl?.on('line', (l) => (waiting.length ? waiting.shift()!(l) : queue.push(l)));
  rl?.on('close', () => {
    ended = true;
    for (const w of waiting.splice(0)) w(null);
  });
  const next = (): Promise<string | null> => (queue.length ? Promise.resolve(queue.shift()!) : ended ? Promise.resolve(null) : new Promise((r) => waiting.push(r)));
  try {
    const result = await runSetup(o, { say, asker: rl ? lineAsker(next, say) : null });
    if (json) process.stdout.write(JSON.stringify({ ok: true, ...result }) + '\n');
    else say(`${result.compartments.length || 'every lock as a'} compartment(s) on ${result.boards.length} ${result.protocol} board(s); check it with \`cabinet-kiosk --config ${result.file} doctor\``);
    return 0;
  } catch (err) {
    return failed(err, json);
  } finally {
    rl?.close();
  }
}

/**
 * `setup --apply PROPOSAL`: writes what an agent commissioned from the screen
 * but could not write itself (src/main/commission/apply.ts). Run as root by
 * cabinet-kiosk-apply-config.service; takes only the line and the door map.
 */
export function runApplyCommand(proposal: string, file: string, json: boolean): number {
  try {
    const r = applyProposal(proposal, file);
    process.stdout.write((json ? JSON.stringify({ ok: true, ...r }) : `wrote ${r.file}${r.backup ? ` (the previous file is kept as ${r.backup})` : ''}`) + '\n');
    return 0;
  } catch (err) {
    return failed(err, json);
  }
}

/** A CommissionError as the CLI says it (its code, the one thing to do) and its exit code; anything else is rethrown. */
function failed(err: unknown, json: boolean): number {
  if (!(err instanceof CommissionError)) throw err;
  if (json) process.stdout.write(JSON.stringify({ ok: false, error: { code: err.code, message: err.message }, hint: err.hint }) + '\n');
  else process.stderr.write(`error [${err.code}]: ${err.message} — ${err.hint}\n`);
  return exitCodeOf(err.code);
}
