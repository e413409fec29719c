import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Bytes an unprivileged process may still write on the filesystem holding
 * `path` (its folder when the file does not exist yet); undefined when the
 * filesystem cannot be asked (the check is then skipped, and the commit
 * retry in src/core/result-commits.ts is the only guard).
 */
export function freeBytesOf(path: string): number | undefined {
  for (const candidate of [path, dirname(path)]) {
    try {
      const s = statfsSync(candidate);
      return s.bavail * s.bsize;
    } catch {
      // try the folder
    }
  }
  return undefined;
}
