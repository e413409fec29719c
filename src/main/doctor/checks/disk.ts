import { fail, pass, warn, type CheckResult } from '../check.js';

export interface DiskFacts {
  path: string;
  freeBytes: number | undefined;
  reserveMb: number;
}

const MB = 1024 * 1024;

/** `disk.free`: below `storage.reserveMb` no door opens (src/main/storage.ts), so that fails; close to it warns. */
export function diskChecks(f: DiskFacts): CheckResult[] {
  if (f.freeBytes === undefined) return [warn('disk.free', `free space on the filesystem of ${f.path} cannot be read`, `check that ${f.path}'s folder exists and is readable`)];
  const freeMb = Math.floor(f.freeBytes / MB);
  if (f.reserveMb === 0) return [warn('disk.free', `${freeMb} MB free; storage.reserveMb is 0, so doors open even when their result cannot be recorded`, 'set storage.reserveMb (default 64)')];
  if (freeMb < f.reserveMb) return [fail('disk.free', `${freeMb} MB free under ${f.path}, below storage.reserveMb ${f.reserveMb}: no door opens`, 'free space on that filesystem (old logs, other files)')];
  if (freeMb < 4 * f.reserveMb) return [warn('disk.free', `${freeMb} MB free under ${f.path}, less than 4 × storage.reserveMb (${f.reserveMb})`, 'free space on that filesystem before it reaches the reserve')];
  return [pass('disk.free', `${freeMb} MB free under ${f.path} (reserve ${f.reserveMb} MB)`)];
}
