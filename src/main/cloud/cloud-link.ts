import { SyncEngine } from '../../cloud/sync/sync-engine.js';
import type { DestinationHealth } from '../../cloud/sync/ports.js';
import type { Logger } from '../../shared/logger.js';
import type * as store from '../../store/index.js';
import type { Config } from '../config/schema.js';
import type { RoutedDestination } from './destinations.js';
import { StoreOutbox } from './store-ports.js';

export type CloudState = 'online' | 'offline' | 'not-configured';

/**
 * The agent's side of the cloud: the sync engine over the store's outbox,
 * started after the flows so a boot with a backlog does not delay the first
 * customer. The flows call `wake()` after queueing events.
 */
export class CloudLink {
  readonly #engine: SyncEngine | null;

  constructor(config: Config, db: store.Db, routed: readonly RoutedDestination[], log: Logger, now: () => number = Date.now) {
    const sync = config.cloud.sync;
    this.#engine =
      routed.length === 0
        ? null
        : new SyncEngine({
            destinations: routed.map((r) => r.destination),
            outbox: new StoreOutbox(db, config.cabinet.id, log.child({ module: 'main/cloud' })),
            logger: log,
            pageSize: sync.pageSize,
            pollMs: sync.pollMs,
            attemptTimeoutMs: sync.attemptTimeoutMs,
            backoff: { baseMs: sync.backoffBaseMs, capMs: sync.backoffCapMs },
            offlineAfterFailures: sync.offlineAfterFailures,
            now,
          });
  }

  start(): void {
    this.#engine?.start();
  }

  async stop(): Promise<void> {
    await this.#engine?.stop();
  }

  wake(): void {
    this.#engine?.wake();
  }

  /** Credentials of `name` changed (or a technician asked): leave `paused` and try now. */
  resume(name: string): void {
    this.#engine?.resume(name);
  }

  destinations(): DestinationHealth[] {
    return this.#engine?.health() ?? [];
  }

  /** One word for the screen: online when every destination's last answer was one. */
  state(): CloudState {
    const all = this.destinations();
    if (all.length === 0) return 'not-configured';
    return all.every((d) => d.state === 'online' || d.state === 'idle') ? 'online' : 'offline';
  }

  onHealthChange(listener: (health: DestinationHealth) => void): () => void {
    return this.#engine?.onHealthChange(listener) ?? (() => undefined);
  }
}
