import type { CallInput, CallName, CallResult, PushedEvent } from '../../shared/contract.js';

/**
 * How the screen reaches main, whatever carries it (Electron IPC or a
 * WebSocket). Results are already parsed with `parseResult`; a transport
 * failure comes back as `{ok: false}` (never a rejection), so a screen has
 * one path for every failure.
 */
export interface KioskApi {
  call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallResult<N>>;
  /** Pushed events, already parsed (malformed ones are dropped with a warning). Returns the unsubscribe. */
  onEvent(listener: (e: PushedEvent) => void): () => void;
}

/**
 * - `connecting`: first attempt under way
 * - `open`: calls flow
 * - `reconnecting`: the link dropped; retrying with backoff
 * - `unauthorised`: the server refused this screen's credential; retried at the slowest pace (an agent restarting on its session file takes the token back)
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'unauthorised';

export interface KioskConnection {
  /** Calls `listener` at once with the current state, then on each change. */
  onStatus(listener: (state: ConnectionState) => void): () => void;
}

export type KioskTransport = KioskApi & KioskConnection;
