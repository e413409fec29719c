import { closeSync, copyFileSync, existsSync, fchmodSync, fchownSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isMap, parseDocument, type Document } from 'yaml';
import type { BoardProtocol, CompartmentSize } from '../../shared/domain.js';
import { ConfigError, parseConfig } from '../config/load-config.js';
import { CommissionError } from './errors.js';

export interface MappedDoor {
  board: number;
  lock: number;
  compartment: string;
  size: CompartmentSize;
}

export interface CommissionedBus {
  path: string;
  baudRate: number;
  protocol: BoardProtocol;
  boards: Array<{ address: number; locks: number }>;
  /** null: no door map (every lock becomes a compartment, the defaults). */
  doors: MappedDoor[] | null;
}

/**
 * The previous file's text with the bus, boards and compartments replaced,
 * everything else (cabinet, staff, cloud, comments in YAML) kept. Board
 * settings of a board that kept its address and protocol (polarity, byte
 * order …) are kept too.
 */
export function commissionedText(previous: string | null, file: string, bus: CommissionedBus): string {
  const json = file.toLowerCase().endsWith('.json');
  const doc: Document = json ? parseDocument(JSON.stringify(previous ? (JSON.parse(previous) as unknown) : {})) : parseDocument(previous ?? '');
  if (doc.errors.length) throw new CommissionError('config-invalid', `${file} is not valid ${json ? 'JSON' : 'YAML'}: ${doc.errors[0]!.message}`, 'fix or move the file, then run setup again');
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as never;
  const old = (doc.toJS() as { boards?: Array<Record<string, unknown>> }).boards ?? [];
  const boards = bus.boards.map((b) => {
    const kept = old.find((o) => o['address'] === b.address && o['protocol'] === bus.protocol) ?? {};
    return { ...kept, address: b.address, protocol: bus.protocol, locks: b.locks };
  });
  doc.setIn(['serial', 'path'], bus.path);
  doc.setIn(['serial', 'baudRate'], bus.baudRate);
  doc.set('boards', doc.createNode(boards));
  if (bus.doors) doc.set('compartments', doc.createNode(bus.doors.map((d) => ({ id: d.compartment, board: d.board, lock: d.lock, size: d.size }))));
  else doc.delete('compartments');
  try {
    parseConfig(doc.toJS(), file);
  } catch (err) {
    if (err instanceof ConfigError) throw new CommissionError('config-invalid', `the configuration setup would write is not valid: ${err.issues.join('; ')}`, 'fix the keys named (in the previous file or the answers), then run setup again', { cause: err });
    throw err;
  }
  return json ? JSON.stringify(doc.toJS(), null, 2) + '\n' : doc.toString();
}

/**
 * Replaces `file` atomically: the new text goes to a temporary file in the
 * same folder, is synced, and is renamed over the old one (a power cut leaves
 * either file whole); the old one is first copied to `<file>.<stamp>.bak`.
 * Returns the backup's path, or null when there was no previous file.
 */
export function writeConfigAtomically(file: string, text: string, now = new Date()): string | null {
  const dir = dirname(file);
  const had = existsSync(file);
  const prev = had ? statSync(file) : null;
  const mode = prev ? prev.mode & 0o777 : 0o640;
  let backup: string | null = null;
  if (had) {
    backup = join(dir, `${basename(file)}.${now.toISOString().replace(/[:.]/g, '-')}.bak`);
    copyFileSync(file, backup);
  }
  const tmp = join(dir, `.${basename(file)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', mode);
  try {
    // The agent reads the file as its own user through the group (root:cabinet-kiosk 0640 in the package): keep owner and group.
    if (prev && process.getuid?.() === 0) fchownSync(fd, prev.uid, prev.gid);
    // The CLI runs under a private umask (data-dir.ts): the mode is set, not left to it.
    fchmodSync(fd, mode);
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, file);
  // The rename is durable once the folder's entry is on disk.
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
  return backup;
}

export function readPrevious(file: string): string | null {
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}
