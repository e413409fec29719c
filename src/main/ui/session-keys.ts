import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/** Pages holding a session at once; past this the oldest session is forgotten (its page must be opened anew). */
const MAX_SESSIONS = 64;

/**
 * Browser mode's credentials. A **ticket** rides in the launch URL (Chromium's
 * argv, the 0600 screen-url file, a terminal): it is good for one connection
 * only, so reading it later from argv or a file gets nothing. That connection
 * is handed a **session token**, which its page keeps (sessionStorage) and
 * offers on every reconnect. Tickets live in memory only (an agent restart
 * voids them); session tokens are remembered, as digests, in `sessionsFile`
 * (0600 in the data folder) when one is given, so a screen whose agent
 * restarted reconnects with the token it holds: no reload, no new ticket.
 * The file holds no secret: a digest cannot be offered in a token's place.
 *
 * Secrets are kept as SHA-256 digests: a lookup then compares digests, and
 * how long it takes says nothing about the secret itself.
 */
export class SessionKeys {
  readonly #tickets = new Map<string, (() => void) | undefined>();
  readonly #sessions = new Set<string>();

  /** `sessionsFile`: where the session digests survive a restart (read now, rewritten at each new session). */
  constructor(private readonly sessionsFile?: string) {
    if (!sessionsFile) return;
    let stored: unknown;
    try {
      stored = JSON.parse(readFileSync(sessionsFile, 'utf8'));
    } catch {
      return;
    }
    if (!Array.isArray(stored)) return;
    for (const d of stored.slice(-MAX_SESSIONS)) if (typeof d === 'string' && /^[0-9a-f]{64}$/.test(d)) this.#sessions.add(d);
  }

  /** A new one-time ticket; `onRedeemed` runs when a connection uses it up. */
  issueTicket(onRedeemed?: () => void): string {
    const ticket = secret();
    this.#tickets.set(digest(ticket), onRedeemed);
    return ticket;
  }

  /** Uses up `ticket` and returns a new session token, or null for an unknown or spent ticket. */
  redeem(ticket: string): string | null {
    const key = digest(ticket);
    if (!this.#tickets.has(key)) return null;
    const onRedeemed = this.#tickets.get(key);
    this.#tickets.delete(key);
    const token = secret();
    this.#sessions.add(digest(token));
    if (this.#sessions.size > MAX_SESSIONS) this.#sessions.delete(this.#sessions.values().next().value!);
    this.#save();
    onRedeemed?.();
    return token;
  }

  isSession(token: string): boolean {
    return this.#sessions.has(digest(token));
  }

  /** Written aside (0600) and renamed; a failure to write only costs the screens a re-read of the endpoint after a restart. */
  #save(): void {
    if (!this.sessionsFile) return;
    const aside = `${this.sessionsFile}.${process.pid}.tmp`;
    try {
      rmSync(aside, { force: true });
      writeFileSync(aside, JSON.stringify([...this.#sessions]), { mode: 0o600, flag: 'wx' });
      renameSync(aside, this.sessionsFile);
    } catch {
      rmSync(aside, { force: true });
    }
  }
}

function secret(): string {
  return randomBytes(24).toString('base64url');
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
