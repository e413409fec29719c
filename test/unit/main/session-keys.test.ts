import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { offeredCredential } from '../../../src/main/ui/browser-server.js';
import { SessionKeys } from '../../../src/main/ui/session-keys.js';

describe('browser mode tickets and session tokens', () => {
  it('a ticket is good once and is swapped for a session token that keeps working', () => {
    const keys = new SessionKeys();
    const onRedeemed = vi.fn();
    const ticket = keys.issueTicket(onRedeemed);
    expect(ticket).toMatch(/^[\w-]{32}$/);
    const token = keys.redeem(ticket);
    expect(token).toMatch(/^[\w-]{32}$/);
    expect(onRedeemed).toHaveBeenCalledTimes(1);
    expect(keys.redeem(ticket)).toBeNull();
    expect(onRedeemed).toHaveBeenCalledTimes(1);
    expect(keys.isSession(token!)).toBe(true);
    expect(keys.isSession(token!)).toBe(true);
  });

  it('a token is not a ticket, a ticket is not a token, and guesses are neither', () => {
    const keys = new SessionKeys();
    const ticket = keys.issueTicket();
    expect(keys.isSession(ticket)).toBe(false);
    const token = keys.redeem(ticket)!;
    expect(keys.redeem(token)).toBeNull();
    expect(keys.isSession('guess')).toBe(false);
    expect(keys.redeem('guess')).toBeNull();
    expect(new SessionKeys().isSession(token)).toBe(false);
  });

  it('session tokens outlive a restart as digests in a 0600 file; tickets do not, and the file holds no token', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-keys-'));
    try {
      const file = join(dir, 'screen-sessions.json');
      const before = new SessionKeys(file);
      const ticket = before.issueTicket();
      const spare = before.issueTicket();
      const token = before.redeem(ticket)!;
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8')).not.toContain(token);
      const after = new SessionKeys(file);
      expect(after.isSession(token)).toBe(true);
      expect(after.redeem(spare)).toBeNull();
      expect(after.isSession(readFileSync(file, 'utf8').slice(2, 66))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the offered credential from the subprotocols, a ticket before a token', () => {
    const offered = (p: string) => offeredCredential({ headers: { 'sec-websocket-protocol': p } });
    expect(offered('cabinet-kiosk.v1, ticket.abc')).toEqual({ kind: 'ticket', value: 'abc' });
    expect(offered('cabinet-kiosk.v1, token.xyz')).toEqual({ kind: 'token', value: 'xyz' });
    expect(offered('cabinet-kiosk.v1, token.xyz, ticket.abc')).toEqual({ kind: 'ticket', value: 'abc' });
    expect(offered('cabinet-kiosk.v1')).toBeNull();
    expect(offeredCredential({ headers: {} })).toBeNull();
  });
});
