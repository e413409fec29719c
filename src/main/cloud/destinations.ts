import { AituoClient } from '../../cloud/aituo/client.js';
import { AituoWaitingOrdersSource } from '../../cloud/aituo/code-source.js';
import { AITUO_EVENT_TYPES, AituoPushDestination } from '../../cloud/aituo/destination.js';
import { ClockOffset } from '../../cloud/clock-offset.js';
import { HONGXUN_EVENT_TYPES, HongxunSignForDestination } from '../../cloud/hongxun/destination.js';
import type { CallbackRoutesConfig } from '../../cloud/receiver/routes.js';
import type { CodeSource, Destination } from '../../cloud/sync/ports.js';
import { StandardWebhookDestination } from '../../cloud/webhooks/destination.js';
import { DOMAIN_EVENT_TYPES, type DomainEventType } from '../../shared/events.js';
import type { Config } from '../config/schema.js';
import { unsealCode } from '../secrets.js';

/** A configured destination and the event types it is sent (one outbox row per event it takes). */
export interface RoutedDestination {
  destination: Destination;
  eventTypes: readonly DomainEventType[];
}

export interface DestinationDeps {
  secret: Buffer;
  now?: () => number;
}

/** Every destination the configuration enables, in configuration order. Throws RangeError for a setting the destination refuses. */
export function buildDestinations(config: Config, deps: DestinationDeps): RoutedDestination[] {
  const routed: RoutedDestination[] = [];
  for (const w of config.cloud.webhooks) {
    const base = { name: w.name, url: w.url, secret: w.secret, timeoutMs: w.timeoutMs };
    const pickup = w.includePickupCode ? { includePickupCode: true as const, unsealCode: (sealed: string) => unsealCode(deps.secret, sealed) } : {};
    const destination = new StandardWebhookDestination({ ...base, ...pickup }, deps.now === undefined ? {} : { now: deps.now });
    routed.push({ destination, eventTypes: DOMAIN_EVENT_TYPES });
  }
  const unseal = (sealed: string) => unsealCode(deps.secret, sealed);
  const now = deps.now === undefined ? {} : { now: deps.now };
  const { aituo, hongxun } = config.cloud;
  if (aituo) routed.push({ destination: new AituoPushDestination(aituo, { unsealCode: unseal, ...now }), eventTypes: AITUO_EVENT_TYPES });
  if (hongxun) routed.push({ destination: new HongxunSignForDestination(hongxun, { clock: new ClockOffset(), ...now }), eventTypes: HONGXUN_EVENT_TYPES });
  const names = new Set<string>();
  for (const { destination } of routed) {
    if (names.has(destination.name)) throw new RangeError(`cloud: destination name "${destination.name}" is used twice`);
    names.add(destination.name);
  }
  return routed;
}

/** Event type → the destinations that take it, plus `outbox.destinations` (which take everything). */
export function routeTable(routed: readonly RoutedDestination[], extra: readonly string[]): (type: DomainEventType) => readonly string[] {
  const table = new Map<DomainEventType, string[]>(DOMAIN_EVENT_TYPES.map((t) => [t, [...extra]]));
  for (const { destination, eventTypes } of routed) {
    for (const type of eventTypes) table.get(type)?.push(destination.name);
  }
  return (type) => table.get(type) ?? extra;
}

/** Every vendor that issues pickup codes for this cabinet, for the code puller. */
export function buildCodeSources(config: Config): CodeSource[] {
  const sources: CodeSource[] = [];
  const { aituo } = config.cloud;
  if (aituo?.api?.waitingOrders.enabled) {
    const client = new AituoClient(aituo.api, { deviceNo: aituo.deviceNo, boxNumbers: aituo.boxNumbers }, { clock: new ClockOffset() });
    sources.push(new AituoWaitingOrdersSource(client, { deviceNo: aituo.deviceNo, boxNumbers: aituo.boxNumbers, waitingOrders: aituo.api.waitingOrders }));
  }
  return sources;
}

/** The callbacks the receiver accepts: a vendor's route exists only when its verification settings do. */
export function callbackConfig(config: Config): CallbackRoutesConfig {
  const { yopoint } = config.cloud;
  return { yopoint: yopoint ?? null };
}
