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

  it('reads the offered credential from the subprotocols, a ticket before a token', () => {
    const offered = (p: string) => offeredCredential({ headers: { 'sec-websocket-protocol': p } });
    expect(offered('cabinet-kiosk.v1, ticket.abc')).toEqual({ kind: 'ticket', value: 'abc' });
    expect(offered('cabinet-kiosk.v1, token.xyz')).toEqual({ kind: 'token', value: 'xyz' });
    expect(offered('cabinet-kiosk.v1, token.xyz, ticket.abc')).toEqual({ kind: 'ticket', value: 'abc' });
    expect(offered('cabinet-kiosk.v1')).toBeNull();
    expect(offeredCredential({ headers: {} })).toBeNull();
  });
});
