/**
 * A small tmpfs for the disk-full cases: the database lives there, and a
 * filler file takes the rest of the space at the chosen moment. Mounting
 * needs root (CI runs as root); when it fails the case FAILS with the reason.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  dir: string;
  /** Bytes free for an unprivileged writer now. */
  free(): number;
  /** Writes a filler until the disk is full (ENOSPC), or until `leaveBytes` remain. */
  fill(leaveBytes?: number): void;
  /** Deletes the filler. */
  drain(): void;
  unmount(): void;
}

export function mountSmallDisk(sizeMb: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'ck-custody-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`the disk-full cases need a ${sizeMb} MB tmpfs (mount -t tmpfs, as root; CI runs as root) and mount failed: ${stderr || String(err)}. These cases do not skip.`);
  }
  const filler = join(dir, 'filler');
  const free = () => {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  };
  return {
    dir,
    free,
    fill(leaveBytes = 0) {
      const fd = openSync(filler, 'a');
      try {
        for (const chunk of [1 << 20, 64 << 10, 4 << 10, 512]) {
          const buf = Buffer.alloc(chunk, 0x5a);
          while (free() - chunk >= leaveBytes) writeSync(fd, buf);
        }
        if (leaveBytes === 0) for (;;) writeSync(fd, Buffer.alloc(512, 0x5a));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        closeSync(fd);
      }
    },
    drain() {
      rmSync(filler, { force: true });
    },
    unmount() {
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
