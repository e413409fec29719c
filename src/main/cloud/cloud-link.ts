import { schedule, type ScheduledTask } from 'node-cron';
import { yopointGateway, type YopointGateway, type YopointRegistration } from '../../cloud/index.js';
import { CallbackReceiver, callbackRoutes, type CallbackRoutesConfig, type ChannelState, type CodeSource, type CommandChannel, type DestinationHealth, type ReceivedCallback, SyncEngine } from '../../cloud/index.js';
import type { Logger } from '../../shared/logger.js';
import * as store from '../../store/index.js';
import type { Config } from '../config/schema.js';
import type { RoutedDestination } from './integrations.js';
import { CodePuller, type PullReport } from '../../core/code-puller.js';
import { ReceiverKeeper, type ReceiverAlarm } from './receiver-keeper.js';
import { StoreInbox, StoreOutbox } from './store-ports.js';
import { cancelVendorCodes, type CancelledCodes } from '../../core/vendor-codes.js';

export type CloudState = 'online' | 'offline' | 'not-configured';

export interface CloudParts {
  routed: readonly RoutedDestination[];
  codeSources: readonly CodeSource[];
  secret: Buffer;
  /** The vendors whose callbacks the receiver verifies (a route each). */
  callbacks: CallbackRoutesConfig;
  /** Where `receiver-down` is raised while the receiver cannot listen, and `vendor-unregistered` while Yopoint does not list this cabinet (src/main/alarms.ts). */
  alarms: ReceiverAlarm & { set(code: 'vendor-unregistered' | 'vendor-door-mismatch', up: boolean, detail: string | null): void };
}

/**
 * The agent's side of the cloud: the sync engine over the store's outbox,
 * the code puller, the callback receiver and the command channel, started
 * after the flows so a boot with a backlog does not delay the first customer.
 * The flows call `wake()` after queueing events.
 */
export class CloudLink {
  readonly #engine: SyncEngine | null;
  readonly #puller: CodePuller | null;
  readonly #codeSources: readonly CodeSource[];
  readonly #db: store.Db;
  readonly #now: () => number;
  readonly #pullCron: string;
  readonly #log: Logger;
  readonly #receiver: ReceiverKeeper | null;
  /** The Dingshang destination, whose rows carry the order ids its delivery callbacks name; null when not configured. */
  readonly #dingshangDestination: string | null;
  readonly #yopoint: YopointGateway | null;
  readonly #alarms: CloudParts['alarms'];
  #yopointRegistration: YopointRegistration | null = null;
  readonly #yopointDoor: { compartmentId: string; windowMs: number } | null;
  readonly #stopping = new AbortController();
  #channel: CommandChannel | null = null;
  #offChannel: (() => void) | null = null;
  #pullTask: ScheduledTask | null = null;
  #offHealth: (() => void) | null = null;
  /** Destinations seen offline since their last online answer. */
  readonly #wasOffline = new Set<string>();

  /** `logger` is the root: each part names its own module (cloud/sync, cloud/receiver …). */
  constructor(config: Config, db: store.Db, parts: CloudParts, logger: Logger, now: () => number = Date.now) {
    const { routed, codeSources } = parts;
    const sync = config.cloud.sync;
    const log = logger.child({ module: 'main/cloud' });
    this.#log = log;
    this.#codeSources = codeSources;
    this.#db = db;
    this.#now = now;
    const receiver = config.cloud.receiver;
    const routes = callbackRoutes(parts.callbacks);
    this.#receiver =
      receiver === undefined || routes.length === 0
        ? null
        : new ReceiverKeeper(
            new CallbackReceiver({ ...receiver, routes }, { inbox: new StoreInbox(db), onCallback: (r) => this.#onCallback(r), logger, now }),
            {
              alarm: parts.alarms,
              log,
              retryBaseMs: receiver.retryBaseMs,
              retryCapMs: receiver.retryCapMs,
              onListening: (a) => log.info({ paths: routes.map((r) => r.path), address: a.url }, 'vendor callback receiver listening'),
            },
          );
    this.#pullCron = config.cloud.codePull.cron;
    this.#dingshangDestination = config.cloud.dingshang?.name ?? null;
    this.#alarms = parts.alarms;
    // The gateway (client) beside the receiver: built here so a gateway URL it refuses stops the boot with the reason.
    this.#yopoint = config.cloud.yopoint === undefined ? null : yopointGateway(config.cloud.yopoint);
    this.#yopointDoor = config.cloud.yopoint?.doorCompartment === undefined ? null : { compartmentId: config.cloud.yopoint.doorCompartment, windowMs: config.cloud.yopoint.doorWindowMs };
    this.#puller =
      codeSources.length === 0
        ? null
        : new CodePuller({ sources: codeSources, db, secret: parts.secret, log, timeoutMs: config.cloud.codePull.timeoutMs, now });
    this.#engine =
      routed.length === 0
        ? null
        : new SyncEngine({
            destinations: routed.map((r) => r.destination),
            outbox: new StoreOutbox(db, config.cabinet.id, log),
            logger,
            pageSize: sync.pageSize,
            pollMs: sync.pollMs,
            attemptTimeoutMs: sync.attemptTimeoutMs,
            backoff: { baseMs: sync.backoffBaseMs, capMs: sync.backoffCapMs },
            offlineAfterFailures: sync.offlineAfterFailures,
            now,
          });
  }

  /**
   * Never throws for the receiver: a port it cannot take raises `receiver-down`
   * and is retried in the background (receiver-keeper.ts), since pickups must
   * not wait for the cloud.
   */
  async start(): Promise<void> {
    await this.#receiver?.start();
    if (this.#yopoint !== null) void this.checkYopointRegistration();
    this.#engine?.start();
    if (this.#puller === null) return;
    const puller = this.#puller;
    void puller.pullAll();
    this.#pullTask = schedule(this.#pullCron, () => void puller.pullAll(), { name: 'pull pickup codes from the vendors', noOverlap: true });
    // A source's own server back after an outage (the destination sharing its client answers again): its codes may
    // have changed meanwhile, so pull that source now rather than at the next tick. Another destination's recovery
    // (a webhook, Hongxun) says nothing about this server: under faults it pulled every source on each flap.
    const linked = puller.linkedDestinations;
    this.#offHealth = this.onHealthChange((h) => {
      if (!linked.has(h.name)) return;
      if (h.state === 'online' && this.#wasOffline.has(h.name)) void puller.pullLinkedTo(h.name);
      if (h.state === 'offline') this.#wasOffline.add(h.name);
      else if (h.state === 'online') this.#wasOffline.delete(h.name);
    });
  }

  async stop(): Promise<void> {
    this.#stopping.abort(new DOMException('agent stopping', 'AbortError'));
    this.#offChannel?.();
    await this.#channel?.stop();
    this.#offHealth?.();
    await this.#pullTask?.destroy();
    this.#puller?.stop();
    await this.#engine?.stop();
    await this.#receiver?.stop();
  }

  /** The receiver's base URL once listening (for `status` and the mock's callbacks). */
  get receiverUrl(): string | null {
    return this.#receiver?.address?.url ?? null;
  }

  /**
   * A verified vendor callback, already in the inbox. A Dingshang delivery
   * result (docs/vendors/dingshang.md §10) is filed on the outbox row of the
   * pickup whose /consumes created its order (the row's vendor reference),
   * where `outbox` shows it; a failed dispense is logged as a warning.
   */
  #onCallback(r: ReceivedCallback): void {
    this.#log.info({ source: r.command.source, type: r.command.type, commandId: r.command.commandId }, 'vendor callback recorded');
    const c = r.content;
    if (c.source === 'dingshang' && c.event.type === 'delivery-result') this.#deliveryResult(c.event);
    if (c.source === 'yopoint' && c.event.type === 'order-paid') void this.#yopointOrder(c.event, r.command.receivedAt);
    if (c.source === 'yopoint' && c.event.type === 'door-close-report') this.#yopointDoorReport(c.event, r.command.receivedAt);
  }

  /**
   * §5.3: Yopoint says whether the door of an order opened. Compared with the door events supervision recorded for
   * `yopoint.doorCompartment` within `doorWindowMs` before the report: when they disagree, `vendor-door-mismatch`
   * is raised and audited (a door Yopoint opened that we never saw move, or one we saw open that Yopoint says stayed
   * shut); an agreeing report clears it.
   */
  #yopointDoorReport(report: { orderRef: string; doorOpened: boolean | null; message: string }, receivedAt: number): void {
    const door = this.#yopointDoor;
    if (door === null || report.doorOpened === null) {
      this.#log.info({ orderRef: report.orderRef, doorOpened: report.doorOpened }, 'yopoint door report not compared (no yopoint.doorCompartment, or an undocumented Status)');
      return;
    }
    try {
      const seenOpen = store.doorActivitySince(this.#db, door.compartmentId, receivedAt - door.windowMs) > 0;
      const facts = { orderRef: report.orderRef, compartmentId: door.compartmentId, yopointSaysOpened: report.doorOpened, seenOpenHere: seenOpen };
      if (seenOpen === report.doorOpened) {
        this.#log.info(facts, 'yopoint door report agrees with the door seen here');
        this.#alarms.set('vendor-door-mismatch', false, null);
        return;
      }
      const detail = `order ${report.orderRef}: Yopoint says the door ${report.doorOpened ? 'opened' : 'did not open'}; compartment ${door.compartmentId} was ${seenOpen ? '' : 'not '}seen open here`;
      store.appendAudit(this.#db, { at: this.#now(), actor: 'vendor:yopoint', action: 'vendor.door-mismatch', compartmentId: door.compartmentId, detail: facts });
      this.#alarms.set('vendor-door-mismatch', true, detail);
      this.#log.warn(facts, 'yopoint door report disagrees with the door seen here');
    } catch (err) {
      this.#log.error({ err, orderRef: report.orderRef }, 'yopoint door report could not be compared');
    }
  }

  /**
   * Is this cabinet registered with Yopoint (`cabinet.list`, docs/vendors/yopoint.md §4.2)? Run at start; logged,
   * and `vendor-unregistered` is raised while the answer is no. Never throws.
   */
  async checkYopointRegistration(): Promise<YopointRegistration | null> {
    if (this.#yopoint === null) return null;
    const result = await this.#yopoint.registration(this.#stopping.signal);
    this.#yopointRegistration = result;
    const facts = { state: result.state, detail: result.detail };
    if (result.state === 'registered') this.#log.info(facts, 'yopoint: this cabinet is registered');
    else if (result.state === 'not-configured') this.#log.info(facts, 'yopoint: registration not checked');
    else this.#log.warn(facts, 'yopoint: this cabinet is not confirmed as registered');
    // Only a definite no raises it: a gateway that cannot be asked is not proof of anything.
    if (result.state === 'not-registered' || result.state === 'registered') this.#alarms.set('vendor-unregistered', result.state === 'not-registered', result.detail);
    return result;
  }

  /** The last registration check; null before the first or without Yopoint. */
  yopointRegistration(): YopointRegistration | null {
    return this.#yopointRegistration;
  }

  /**
   * §5.1: an order finished payment; §5.1 says to fetch its details with `cabinet.order.get` (§4.8). Kept in the
   * store with what the gateway answered, or why it could not (the order stays listed, the next notification retries).
   */
  async #yopointOrder(order: { orderRef: string; cabinetRef: string; paidAtMs: number }, receivedAt: number): Promise<void> {
    if (this.#yopoint === null) return;
    try {
      store.recordNotifiedOrder(this.#db, { source: 'yopoint', orderRef: order.orderRef, cabinetRef: order.cabinetRef, paidAt: order.paidAtMs, receivedAt });
      try {
        const detail = await this.#yopoint.order(order.orderRef, this.#stopping.signal);
        store.completeVendorOrder(this.#db, 'yopoint', order.orderRef, detail, this.#now());
        this.#log.info({ orderRef: order.orderRef }, 'yopoint order completed from cabinet.order.get');
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        store.failVendorOrderFetch(this.#db, 'yopoint', order.orderRef, reason, this.#now());
        this.#log.warn({ orderRef: order.orderRef, reason }, 'yopoint order kept without its details: cabinet.order.get failed');
      }
    } catch (err) {
      this.#log.error({ err, orderRef: order.orderRef }, 'yopoint order could not be recorded');
    }
  }

  #deliveryResult(result: { orderId: number | null; recordId: number | null; outcome: 'dispensed' | 'failed' | 'other'; laneStatus: string; failReason: string }): void {
    const { orderId, ...rest } = result;
    if (orderId === null || this.#dingshangDestination === null) return;
    const eventId = store.recordVendorResult(this.#db, this.#dingshangDestination, String(orderId), { orderId, ...rest }, this.#now());
    const facts = { orderId, eventId, outcome: result.outcome, laneStatus: result.laneStatus, failReason: result.failReason };
    if (eventId === null) this.#log.warn(facts, 'dingshang delivery result for an order none of our reports created');
    else if (result.outcome === 'dispensed') this.#log.info(facts, 'dingshang delivery result filed with its pickup');
    else this.#log.warn(facts, 'dingshang reports the dispense failed; filed with its pickup');
  }

  /**
   * The command channel, built once the flows exist (its commands run them).
   * Started now; stopped with the link. A (re)connect pulls codes: whatever
   * changed upstream while the cabinet was cut off is fetched at once.
   */
  attachChannel(channel: CommandChannel): void {
    this.#channel = channel;
    this.#offChannel = channel.onStateChange((state) => {
      if (state === 'connected') void this.pullCodes();
    });
    channel.start();
  }

  channelState(): ChannelState | 'not-configured' {
    return this.#channel?.state() ?? 'not-configured';
  }

  /** Pull every code source now (`sync-now`, service mode). */
  pullCodes(): Promise<PullReport[]> {
    return this.#puller?.pullAll() ?? Promise.resolve([]);
  }

  /** Service mode: withdraw the vendor-issued codes of one compartment, upstream first (vendor-codes.ts). */
  cancelVendorCodes(compartmentId: string, actor: string): Promise<CancelledCodes> {
    return cancelVendorCodes(this.#db, this.#codeSources, { compartmentId, actor, now: this.#now, timeoutMs: 15_000 });
  }

  codePulls(): PullReport[] {
    return this.#puller?.lastReports() ?? [];
  }

  wake(): void {
    this.#engine?.wake();
  }

  /**
   * A technician says the cause is fixed (`outbox retry`, service mode): every
   * destination paused on refused credentials tries again now. A restart with
   * a changed configuration starts unpaused anyway.
   */
  resumePaused(): string[] {
    const paused = this.destinations().filter((d) => d.state === 'paused').map((d) => d.name);
    for (const name of paused) this.#engine?.resume(name);
    return paused;
  }

  /** A destination's link is back (the fleet broker reconnected): forget its back-off and try now. No-op for an unknown name. */
  resumeDestination(name: string): void {
    if (this.destinations().some((d) => d.name === name)) this.#engine?.resume(name);
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
