import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { probeVendors } from '../../cloud/index.js';
import type { AgentStatus } from '../status.js';
import type { Config } from '../config/schema.js';
import { SIMULATOR_PATH } from '../config/schema.js';
import { callAgent } from '../control-protocol/client.js';
import { controlSocketPath } from '../control-protocol/socket-path.js';
import { freeBytesOf } from '../storage.js';
import { APP_VERSION } from '../version.js';
import { doctorExitCode, summarise, type CheckResult, type DoctorReport } from './check.js';
import { boardChecks, type BoardFacts } from './checks/boards.js';
import { clockChecks } from './checks/clock.js';
import { databaseChecks, type DatabaseFacts } from './checks/database.js';
import { diskChecks } from './checks/disk.js';
import { displayChecks } from './checks/display.js';
import { fontChecks } from './checks/fonts.js';
import { receiverChecks } from './checks/receiver.js';
import { serialChecks } from './checks/serial.js';
import { serviceChecks } from './checks/services.js';
import { shellChecks } from './checks/shell.js';
import { vendorChecks } from './checks/vendors.js';
import { scanForDoctor } from './probe-bus.js';
import { agentHoldsDataDir, databaseFacts, receiverFacts } from './probe-services.js';
import { deviceFacts, displayFacts, fontFacts, ntpFacts, serviceFacts, serviceUser, shellFacts, UDEV_RULE } from './probe-system.js';

export interface DoctorOptions {
  /** Scan the whole address range for boards not configured (default true). */
  discovery: boolean;
  /** Per vendor call. Default 5000 ms. */
  vendorTimeoutMs?: number;
}

/**
 * The running agent's status, or null when none answers on the control socket
 * within the time; `denied` when a socket is there but this user may not use
 * it (0600, the service user's): an agent probably runs.
 */
async function askAgent(config: Config): Promise<{ status: AgentStatus | null; denied: boolean }> {
  const reply = await Promise.race([
    callAgent(controlSocketPath(config.dataDir), 'status', {}).catch((err: NodeJS.ErrnoException) => ({ reached: false as const, reason: err.code ?? 'error' })),
    new Promise<{ reached: false; reason: string }>((resolve) => setTimeout(() => resolve({ reached: false, reason: 'timeout' }), 30_000).unref()),
  ]);
  if (!reply.reached) return { status: null, denied: reply.reason === 'EACCES' || reply.reason === 'EPERM' };
  return { status: reply.result.ok ? (reply.result.value as AgentStatus) : null, denied: false };
}

/**
 * Who looks at the bus: the running agent owns the serial port, so while it
 * runs its own reads answer (`status`) and the line is not scanned; with no
 * agent the doctor opens the port itself. An agent that holds the data
 * folder but does not answer its socket is left alone: nothing is scanned.
 */
async function busFacts(config: Config, agent: AgentStatus | null, denied: boolean, o: DoctorOptions): Promise<BoardFacts> {
  const configured = config.boards.map((b) => ({ address: b.address, protocol: b.protocol, locks: b.locks }));
  if (config.serial.path === SIMULATOR_PATH) return { source: 'none', configured, reason: 'serial.path is "simulator": no lock board to ask' };
  if (agent) {
    const answered: Record<number, boolean> = {};
    for (const b of configured) answered[b.address] = agent.compartments.some((c) => c.board === b.address && c.door !== 'unknown');
    return { source: 'agent', configured, connected: agent.hardware.connected, answered };
  }
  if (denied) return { source: 'none', configured, reason: `the control socket in ${config.dataDir} is not this user's: an agent probably holds the line, so it was not scanned (run doctor as root or as the service user)` };
  if (agentHoldsDataDir(config.dataDir)) return { source: 'none', configured, reason: `an agent holds ${config.dataDir} but does not answer its control socket: the line was not scanned (restart that agent)` };
  return scanForDoctor({ path: config.serial.path, baudRate: config.serial.baudRate, boards: configured, discovery: o.discovery });
}

export async function runDoctor(config: Config, o: DoctorOptions): Promise<DoctorReport> {
  const { status: agent, denied } = await askAgent(config);
  const simulator = config.serial.path === SIMULATOR_PATH;
  const headless = config.ui.shell === 'none';
  const checks: CheckResult[] = [];
  checks.push(...serialChecks({ simulator, device: simulator ? null : await deviceFacts(config.serial.path), user: serviceUser(), udevRule: UDEV_RULE }));
  const bus = await busFacts(config, agent, denied, o);
  checks.push(...boardChecks(bus));
  checks.push(...diskChecks({ path: config.database, freeBytes: freeBytesOf(nearestExisting(config.database)), reserveMb: config.storage.reserveMb }));
  const db: DatabaseFacts = agent ? { path: config.database, state: 'checked', ok: agent.database.quickCheck.ok, detail: agent.database.quickCheck.detail, by: 'agent' } : databaseFacts(config.database);
  checks.push(...databaseChecks(db));
  checks.push(...fontChecks(await fontFacts()));
  checks.push(...displayChecks(displayFacts(headless)));
  const { vendors, clocks } = await probeVendors(config.cloud, { timeoutMs: o.vendorTimeoutMs ?? 5000 });
  checks.push(...clockChecks(await ntpFacts(), clocks));
  checks.push(...vendorChecks(vendors));
  checks.push(...receiverChecks(await receiverFacts(config.cloud.receiver, agent?.cloud.receiver ?? null)));
  checks.push(...shellChecks(await shellFacts(config.ui.shell, config.ui.browserPath)));
  checks.push(...serviceChecks(await serviceFacts(), { headless }));
  return { ok: doctorExitCode(checks) === 0, version: APP_VERSION, config: config.source, bus: bus.source, counts: summarise(checks), checks };
}

/** The database (or its folder, or theirs) before the first start created them: the filesystem it will live on. */
function nearestExisting(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

const LABEL: Record<CheckResult['status'], string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', info: 'info' };

/** The human report: one line per check, the action under each warn and fail. */
export function formatDoctor(r: DoctorReport): string {
  const busFrom = { agent: 'the running agent (it holds the port)', doctor: "the doctor's own reads (no agent running)", none: 'nowhere' }[r.bus];
  const width = Math.max(...r.checks.map((c) => c.id.length));
  const lines = [`cabinet-kiosk ${r.version} doctor — config: ${r.config}; bus facts from ${busFrom}`, ''];
  for (const c of r.checks) {
    lines.push(`${LABEL[c.status]}  ${c.id.padEnd(width)}  ${c.summary}`);
    if (c.action && (c.status === 'warn' || c.status === 'fail')) lines.push(`      ${' '.repeat(width)}  → ${c.action}`);
  }
  lines.push('', `${r.counts.fail} fail, ${r.counts.warn} warn, ${r.counts.pass} pass, ${r.counts.info} info${r.ok ? '' : ' — fix the FAIL lines, then run doctor again'}`);
  return lines.join('\n');
}
