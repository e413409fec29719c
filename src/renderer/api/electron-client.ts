import { parseResult, type CallEnvelope, type CallInput, type CallName, type CallResult, type PushedEvent } from '../../shared/contract.js';
import { checkInput, failure, Listeners, parseEvent, type Warn } from './common.js';
import type { ConnectionState, KioskTransport } from './kiosk-api.js';

/** What the preload exposes as `window.cabinetKiosk` (contextBridge). */
export interface ElectronBridge {
  /** Resolves with the raw result object (`{ok, value}` / `{ok, error}`), unparsed. */
  call(envelope: CallEnvelope): Promise<unknown>;
  onEvent(listener: (event: unknown) => void): () => void;
  /** Whether the shell's link to the agent is up (main answers). */
  linkState(): Promise<unknown>;
  /** Each change of the shell's link to the agent. */
  onLink(listener: (connected: unknown) => void): () => void;
}

export function isElectronBridge(value: unknown): value is ElectronBridge {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { call?: unknown; onEvent?: unknown; linkState?: unknown; onLink?: unknown };
  return typeof candidate.call === 'function' && typeof candidate.onEvent === 'function' && typeof candidate.linkState === 'function' && typeof candidate.onLink === 'function';
}

/** The contract over Electron IPC; its status is the shell's link to the agent (the shell relays every call over it). */
export class ElectronKioskClient implements KioskTransport {
  readonly #bridge: ElectronBridge;
  readonly #warn: Warn;
  #nextId = 1;

  constructor(bridge: ElectronBridge, warn: Warn) {
    this.#bridge = bridge;
    this.#warn = warn;
  }

  async call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallResult<N>> {
    const refused = checkInput(name, input);
    if (refused) return refused as CallResult<N>;
    const id = this.#nextId++;
    try {
      return parseResult(name, await this.#bridge.call({ id, name, input }));
    } catch (err) {
      // No handler yet (main still starting) or main went away mid-call.
      this.#warn(`cabinet-kiosk: IPC call ${name} failed`, err);
      return failure<N>('agent-busy');
    }
  }

  onEvent(listener: (e: PushedEvent) => void): () => void {
    const listeners = new Listeners<PushedEvent>();
    const off = listeners.add(listener);
    const unsubscribe = this.#bridge.onEvent((raw) => {
      const event = parseEvent(raw, this.#warn);
      if (event) listeners.emit(event, this.#warn);
    });
    return () => {
      off();
      unsubscribe();
    };
  }

  onStatus(listener: (state: ConnectionState) => void): () => void {
    let changed = false;
    const tell = (connected: unknown) => listener(connected === true ? 'open' : 'reconnecting');
    listener('connecting');
    const off = this.#bridge.onLink((connected) => {
      changed = true;
      tell(connected);
    });
    // A change pushed before the answer is newer than the answer.
    this.#bridge.linkState().then(
      (connected) => changed || tell(connected),
      (err: unknown) => {
        this.#warn('cabinet-kiosk: the link state could not be read', err);
        if (!changed) tell(false);
      },
    );
    return off;
  }
}
