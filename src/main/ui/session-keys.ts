import { createHash, randomBytes } from 'node:crypto';

/** Pages holding a session at once; past this the oldest session is forgotten (its page must be opened anew). */
const MAX_SESSIONS = 64;

/**
 * Browser mode's credentials. A **ticket** rides in the launch URL (Chromium's
 * argv, the 0600 screen-url file, a terminal): it is good for one connection
 * only, so reading it later from argv or a file gets nothing. That connection
 * is handed a **session token**, which its page keeps (sessionStorage) and
 * offers on every reconnect while this agent runs. Both live in memory only,
 * so an agent restart voids them all.
 *
 * Secrets are kept as SHA-256 digests: a lookup then compares digests, and
 * how long it takes says nothing about the secret itself.
 */
export class SessionKeys {
  readonly #tickets = new Map<string, (() => void) | undefined>();
  readonly #sessions = new Set<string>();

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
    onRedeemed?.();
    return token;
  }

  isSession(token: string): boolean {
    return this.#sessions.has(digest(token));
  }
}

function secret(): string {
  return randomBytes(24).toString('base64url');
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
