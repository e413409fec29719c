/**
 * The test side of custody-worker.ts: spawn, ask, and notice the SIGKILL.
 * A request pending when the worker dies answers `harness:killed`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AgentHandle, CallResult, KillStep, KioskMethod } from './agent-handle.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';

const WORKER = fileURLToPath(new URL('./custody-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

type Pending = (m: WorkerReply | { t: 'exit' }) => void;

export class WorkerProcess implements AgentHandle {
  readonly child: ChildProcess;
  readonly booted: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr = '';
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #gone = false;

  constructor() {
    this.child = spawn(process.execPath, ['--import', 'tsx', WORKER], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.child.on('error', () => undefined);
    this.booted = new Promise((resolve, reject) => {
      this.child.on('message', (m: WorkerReply) => {
        if (m.t === 'booted') return resolve();
        this.#pending.get(m.id)?.(m);
        this.#pending.delete(m.id);
      });
      this.child.once('exit', () => reject(new Error(`custody worker exited before it booted:\n${this.stderr}`)));
    });
    this.booted.catch(() => undefined);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.#gone = true;
        for (const p of this.#pending.values()) p({ t: 'exit' });
        this.#pending.clear();
        resolve({ code, signal });
      }),
    );
  }

  get alive(): boolean {
    return !this.#gone;
  }

  async start(configPath: string): Promise<void> {
    const r = await this.#ask({ t: 'start', id: 0, configPath });
    if (r.t === 'exit') throw new Error(`custody worker died during Agent.start:\n${this.stderr}`);
    if (r.t === 'started' && r.error) throw new Error(`Agent.start failed in the worker: ${r.error}`);
  }

  async call(method: KioskMethod, args: unknown[], opts: { killAt?: KillStep } = {}): Promise<CallResult> {
    const r = await this.#ask({ t: 'call', id: 0, method, args, ...(opts.killAt ? { killAt: opts.killAt } : {}) });
    if (r.t === 'exit') return { ok: false, code: 'harness:killed', message: 'the worker died before it answered' };
    if (r.t !== 'result') throw new Error(`unexpected worker reply ${r.t}`);
    return r.result;
  }

  /**
   * SIGKILL now: for "after the write", which only the test sees (the board is
   * in this process). Synchronous, so nothing runs in the worker after the frame.
   */
  kill(): void {
    this.child.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.#ask({ t: 'stop', id: 0 });
  }

  /** Ends the process (a clean disconnect; SIGKILL if it does not go). */
  async dispose(): Promise<void> {
    if (this.#gone) return;
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }

  #ask(req: WorkerRequest & { id: number }): Promise<WorkerReply | { t: 'exit' }> {
    if (this.#gone) return Promise.resolve({ t: 'exit' });
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.child.send({ ...req, id }, (err) => {
        if (err && this.#pending.delete(id)) resolve({ t: 'exit' });
      });
    });
  }
}
