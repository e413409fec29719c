import { accessSync, constants } from 'node:fs';
import { readdir, readlink } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { SerialPort } from 'serialport';
import { silentLogger, type Logger } from '../../shared/logger.js';

export interface ListedPort {
  path: string;
  /** Device node a by-id link points to. */
  target?: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
  /** `udev`: SerialPort.list() via udevadm; `by-id`/`dev`: the filesystem fallback. */
  source: 'udev' | 'by-id' | 'dev';
}

export interface ListSerialPortsOptions {
  logger?: Logger;
  /** PATH to look for udevadm in. Default process.env.PATH. */
  path?: string;
  /** Filesystem roots, for tests. Defaults `/dev/serial/by-id` and `/dev`. */
  byIdDir?: string;
  devDir?: string;
  /** Give up on udevadm after this long. Default 3000 ms. */
  timeoutMs?: number;
}

const DEV_PATTERN = /^tty(USB|ACM|S)\d+$/;

export function hasExecutable(name: string, path = process.env.PATH ?? ''): boolean {
  return path.split(delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Lists serial ports without ever taking the process down. SerialPort.list()
 * spawns `udevadm info -e` (§G.1); where udev is missing (slim images) that
 * spawn fails with ENOENT, which some versions let escape as an uncaught
 * error on the child process. So udevadm is looked up on PATH first, the call
 * is still wrapped, and the fallback lists `/dev/serial/by-id/*` and
 * `/dev/tty{USB,ACM,S}*` (which is also what to put in `serial.path`, §G.2).
 */
export async function listSerialPorts(opts: ListSerialPortsOptions = {}): Promise<ListedPort[]> {
  const log = opts.logger ?? silentLogger;
  if (hasExecutable('udevadm', opts.path ?? process.env.PATH)) {
    try {
      const ports = await withTimeout(SerialPort.list(), opts.timeoutMs ?? 3000);
      if (ports.length > 0) return ports.map((p) => ({ ...strip(p), path: p.path, source: 'udev' as const }));
    } catch (err) {
      log.warn({ err }, 'SerialPort.list() failed; listing /dev instead');
    }
  } else {
    log.info('udevadm not on PATH; listing /dev instead of SerialPort.list()');
  }
  return listFromFilesystem(opts.byIdDir ?? '/dev/serial/by-id', opts.devDir ?? '/dev');
}

async function listFromFilesystem(byIdDir: string, devDir: string): Promise<ListedPort[]> {
  const out: ListedPort[] = [];
  for (const name of await readdir(byIdDir).catch(() => [] as string[])) {
    const path = join(byIdDir, name);
    const link = await readlink(path).catch(() => undefined);
    out.push({ path, source: 'by-id', ...(link ? { target: resolve(byIdDir, link) } : {}) });
  }
  const devices = (await readdir(devDir).catch(() => [] as string[])).filter((n) => DEV_PATTERN.test(n));
  devices.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  for (const name of devices) out.push({ path: join(devDir, name), source: 'dev' });
  return out;
}

function strip(p: { manufacturer?: string | undefined; serialNumber?: string | undefined; vendorId?: string | undefined; productId?: string | undefined }) {
  const out: Partial<ListedPort> = {};
  if (p.manufacturer) out.manufacturer = p.manufacturer;
  if (p.serialNumber) out.serialNumber = p.serialNumber;
  if (p.vendorId) out.vendorId = p.vendorId;
  if (p.productId) out.productId = p.productId;
  return out;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`udevadm gave no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolvePromise(v)),
      (e: unknown) => (clearTimeout(timer), reject(e)),
    );
  });
}
