import { silentLogger, type Logger } from '../../shared/logger.js';
import { DestinationDrainer, type DrainerOptions, type HealthListener } from './drainer.js';
import type { Destination, DestinationHealth, OutboxPort } from './ports.js';

export interface SyncEngineOptions extends Omit<DrainerOptions, 'logger'> {
  /** Where every event goes; names must be unique (they are the outbox destination keys). */
  destinations: readonly Destination[];
  outbox: OutboxPort;
  /** Each drainer logs through a child `{ module: 'cloud/sync', destination }`. Default silentLogger. */
  logger?: Logger;
}

/**
 * One drainer per destination over one outbox, so a failing destination
 * never holds up another (each has its own loop, backoff and pause). The
 * options other than `destinations`, `outbox` and `logger` go to every drainer.
 */
export class SyncEngine {
  readonly #drainers: ReadonlyMap<string, DestinationDrainer>;

  constructor(options: SyncEngineOptions) {
    const { destinations, outbox, logger = silentLogger, ...drainerOptions } = options;
    const log = logger.child({ module: 'cloud/sync' });
    const drainers = new Map<string, DestinationDrainer>();
    for (const destination of destinations) {
      if (drainers.has(destination.name)) throw new RangeError(`destination ${destination.name} is configured twice`);
      drainers.set(destination.name, new DestinationDrainer(destination, outbox, { ...drainerOptions, logger: log.child({ destination: destination.name }) }));
    }
    this.#drainers = drainers;
  }

  start(): void {
    for (const drainer of this.#drainers.values()) drainer.start();
  }

  /** Aborts every attempt in flight (those rows stay pending) and resolves when all loops ended. */
  async stop(): Promise<void> {
    await Promise.all([...this.#drainers.values()].map((drainer) => drainer.stop()));
  }

  /** Call after committing an event: every destination looks now instead of at its next poll. */
  wake(): void {
    for (const drainer of this.#drainers.values()) drainer.wake();
  }

  /** The configuration of `name` changed: leave `paused` and retry now. Throws RangeError for an unknown name. */
  resume(name: string): void {
    const drainer = this.#drainers.get(name);
    if (drainer === undefined) throw new RangeError(`no sync destination named ${name}`);
    drainer.resume();
  }

  /** One entry per destination, in configuration order. */
  health(): DestinationHealth[] {
    return [...this.#drainers.values()].map((drainer) => drainer.health());
  }

  /** Called with the destination's new health on every change. Returns the unsubscribe. */
  onHealthChange(listener: HealthListener): () => void {
    const unsubscribe = [...this.#drainers.values()].map((drainer) => drainer.onHealthChange(listener));
    return () => {
      for (const off of unsubscribe) off();
    };
  }
}
