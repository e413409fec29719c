import { userInfo } from 'node:os';

/** Who sent a control command, as the audit log records it. */
export interface ControlCaller {
  /** `uid:<uid>(<user>)`, from the operating system, never from the request. */
  actor: string;
}

/**
 * The audit actor of every control command: the agent's own user.
 *
 * Node exposes no SO_PEERCRED, and the npm packages that read it are native
 * add-ons we would rather not ship for this. Instead the control socket is
 * created 0600 and owned by the agent's user (control/server.ts), so the kernel
 * lets only that uid (and root, which can do anything on the box anyway)
 * connect. Whoever reaches the socket therefore is that uid: the actor is
 * derived from it, and the caller's own words travel only as a `note`.
 * An in-process CLI run is the same: the process acting is the caller.
 * Windows has no uids; the named pipe's default ACL admits the owner, SYSTEM
 * and administrators, so the actor is the agent's user name there.
 */
export function localCaller(platform: NodeJS.Platform = process.platform): ControlCaller {
  const name = userName();
  if (platform === 'win32' || typeof process.getuid !== 'function') return { actor: `user:${name ?? 'unknown'}` };
  return { actor: actorFor(process.getuid(), name) };
}

/** `uid:1000(kiosk)`, or `uid:1000` when the uid has no user name (a container without /etc/passwd entry). */
export function actorFor(uid: number, name: string | null): string {
  return name ? `uid:${uid}(${name})` : `uid:${uid}`;
}

function userName(): string | null {
  try {
    return userInfo().username || null;
  } catch {
    // userInfo throws when the uid has no passwd entry.
    return null;
  }
}
