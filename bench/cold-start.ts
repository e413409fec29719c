/**
 * Cold start: `node bin/cabinet-kiosk.js --config <tmp> start --json` as a
 * child process (compiled dist/, as in production), the embedded simulator on
 * a socat PTY, the database in a temp dir, no log file. The agent reports
 * `coldStartMs` (process.uptime() at ready) and `rssMb` on its `ready` line;
 * the parent also times spawn → ready line. Then SIGTERM, timed to exit.
 * Every run uses the same data dir: run 1 creates the database and the
 * cabinet secret (first boot), later runs open them (a reboot).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { median, progress, tempDir } from './stats.js';

export interface ColdStartRun {
  coldStartMs: number;
  rssMb: number;
  /** Parent's wall time, spawn() → the ready line read from the pipe. */
  spawnToReadyMs: number;
  /** SIGTERM → exit. */
  stopMs: number;
  exitCode: number | null;
  exitSignal: string | null;
  hardware: string;
  /** The agent died without stopping its simulator: its socat was still running and was killed here. */
  orphanSocatKilled: boolean;
}

export interface ColdStartResult {
  runs: ColdStartRun[];
  coldStartMs: number;
  rssMb: number;
  spawnToReadyMs: number;
  stopMs: number;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const READY_TIMEOUT_MS = 15_000;
/**
 * The ready line is written before runStartCommand installs its SIGTERM
 * handler (src/main/start.ts), so a SIGTERM sent the instant it is read
 * can hit Node's default action. Wait a moment before stopping the agent.
 */
const STOP_AFTER_READY_MS = 250;

/** The socat of a simulator whose agent died uncleanly, found by its unique PTY dir; killed by pid. */
function killOrphanSocat(hardware: string): boolean {
  const m = /PTY (\/\S+)\/agent/.exec(hardware);
  if (!m || !existsSync(`${m[1]}/agent`)) return false;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmd.startsWith('socat') && cmd.includes(`${m[1]}/agent`)) {
      process.kill(Number(pid), 'SIGTERM');
      return true;
    }
  }
  return false;
}

function startOnce(configPath: string): Promise<ColdStartRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'cabinet-kiosk.js'), '--config', configPath, 'start', '--json', '--ui', 'none'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let ready: { coldStartMs: number; rssMb: number; hardware: string; at: number } | undefined;
    let stopAt = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ready line within ${READY_TIMEOUT_MS} ms; stdout: ${out.slice(0, 500)} stderr: ${err.slice(0, 500)}`));
    }, READY_TIMEOUT_MS);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (ready) return;
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        let msg: { event?: string; coldStartMs?: number; rssMb?: number; hardware?: string };
        try {
          msg = JSON.parse(line) as typeof msg;
        } catch {
          continue;
        }
        if (msg.event !== 'ready') continue;
        ready = { coldStartMs: Number(msg.coldStartMs), rssMb: Number(msg.rssMb), hardware: String(msg.hardware ?? ''), at: performance.now() };
        clearTimeout(timer);
        setTimeout(() => {
          stopAt = performance.now();
          child.kill('SIGTERM');
        }, STOP_AFTER_READY_MS);
        break;
      }
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!ready) return reject(new Error(`agent exited (${code}) before ready; stderr: ${err.slice(0, 800)}`));
      resolve({
        coldStartMs: ready.coldStartMs,
        rssMb: ready.rssMb,
        spawnToReadyMs: ready.at - t0,
        stopMs: performance.now() - stopAt,
        exitCode: code,
        exitSignal: signal,
        hardware: ready.hardware,
        orphanSocatKilled: killOrphanSocat(ready.hardware),
      });
    });
  });
}

export async function runColdStart(runs: number): Promise<ColdStartResult> {
  const dir = tempDir('cold');
  try {
    const configPath = join(dir.path, 'config.json');
    writeFileSync(configPath, JSON.stringify({
      simulator: { transport: 'pty' },
      database: join(dir.path, 'kiosk.db'),
      dataDir: dir.path,
      log: { file: false },
    }, null, 2));
    const out: ColdStartRun[] = [];
    for (let i = 0; i < runs; i++) {
      progress(`cold start: run ${i + 1}/${runs}`);
      out.push(await startOnce(configPath));
    }
    return {
      runs: out,
      coldStartMs: median(out.map((r) => r.coldStartMs)),
      rssMb: median(out.map((r) => r.rssMb)),
      spawnToReadyMs: median(out.map((r) => r.spawnToReadyMs)),
      stopMs: median(out.map((r) => r.stopMs)),
    };
  } finally {
    dir.remove();
  }
}
