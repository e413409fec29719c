import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboundEventOf } from '../../../src/cloud/common/outbound-event.js';
import { webhookRequestFor } from '../../../src/cloud/webhooks/mapper.js';
import type { LedgerReport } from '../../../tools/mock-cloud/ledger.js';

/** The mock as its own process: SIGKILLed after an acknowledgement, restarted on the same port and state file. */

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const FIXTURE = fileURLToPath(new URL('./fixtures/mock-process.ts', import.meta.url));

interface Spawned {
  child: ChildProcess;
  url: string;
  /** Every later stdout line. */
  lines: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let children: ChildProcess[] = [];
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mock-run-'));
});
afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children = [];
  rmSync(dir, { recursive: true, force: true });
});

async function spawnMock(stateFile: string, port = 0): Promise<Spawned> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, stateFile, String(port), SECRET], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const lines: string[] = [];
  const reader = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    reader.once('line', resolve);
    void exit.then(({ code }) => reject(new Error(`mock process exited (${code}) before ready: ${stderr}`)));
  });
  reader.on('line', (line) => lines.push(line));
  const ready = JSON.parse(first) as { ready: boolean; url: string };
  expect(ready.ready).toBe(true);
  return { child, url: ready.url, lines, exit };
}

function stored(id: string): OutboundEventOf<'parcel.stored'> {
  return {
    id, type: 'parcel.stored', parcelId: 'p-1', compartmentId: '7', occurredAt: Date.now(), cabinetId: 'CAB-1',
    payload: { parcelId: 'p-1', compartmentId: '7', board: 1, lock: 7, size: 'M', courier: null, trackingNo: null, storedAt: 1, expiresAt: null, sealedCode: 's' },
  };
}

async function deliver(url: string, event: OutboundEventOf<'parcel.stored'>): Promise<number> {
  const request = webhookRequestFor(event, { secrets: [SECRET], nowSeconds: Date.now() / 1000 });
  const res = await fetch(`${url}/webhooks/hooks`, { method: 'POST', headers: request.headers, body: request.body });
  await res.text();
  return res.status;
}

describe('runMockCloudProcess', () => {
  it('keeps what it acknowledged across a SIGKILL: the resend after the restart is a duplicate', async () => {
    const stateFile = join(dir, 'ledger.jsonl');
    const event = stored('0190a1b2-0000-7000-8000-000000000001');
    const first = await spawnMock(stateFile);
    expect(await deliver(first.url, event)).toBe(204);
    first.child.kill('SIGKILL');
    expect(await first.exit).toMatchObject({ signal: 'SIGKILL' });

    const port = Number(new URL(first.url).port);
    const second = await spawnMock(stateFile, port);
    expect(second.url).toBe(first.url);
    expect(await deliver(second.url, event)).toBe(204);
    const report = (await (await fetch(`${second.url}/_mock/ledger/webhooks`)).json()) as LedgerReport;
    expect(report).toMatchObject({ applied: [{ key: event.id, stream: 'p-1' }], duplicates: 1, appliedTwice: [] });

    second.child.kill('SIGTERM');
    expect(await second.exit).toEqual({ code: 0, signal: null });
    expect(second.lines).toContain('{"stopped":true}');
  });
});
