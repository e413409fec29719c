import { AituoClient } from '../../cloud/aituo/client.js';
import { AituoWaitingOrdersSource } from '../../cloud/aituo/code-source.js';
import { AITUO_EVENT_TYPES, AituoPushDestination } from '../../cloud/aituo/destination.js';
import { ClockOffset } from '../../cloud/common/clock-offset.js';
import { DingshangClient } from '../../cloud/dingshang/client.js';
import { DingshangCodeSource } from '../../cloud/dingshang/code-source.js';
import { callbackAuthFor } from '../../cloud/dingshang/config.js';
import { DINGSHANG_EVENT_TYPES, DingshangDestination } from '../../cloud/dingshang/destination.js';
import { HONGXUN_EVENT_TYPES, HongxunSignForDestination } from '../../cloud/hongxun/destination.js';
import type { CallbackRoutesConfig } from '../../cloud/receiver/routes.js';
import type { CodeSource, Destination } from '../../cloud/sync/ports.js';
import { StandardWebhookDestination } from '../../cloud/webhooks/destination.js';
import { DOMAIN_EVENT_TYPES, type DomainEventType } from '../../shared/events.js';
import type { Logger } from '../../shared/logger.js';
import type { Config } from '../config/schema.js';
import { unsealCode } from '../../core/sealed-code.js';

/** A configured destination and the event types it is sent (one outbox row per event it takes). */
export interface RoutedDestination {
  destination: Destination;
  eventTypes: readonly DomainEventType[];
}

/** Everything the configuration's `cloud` section switches on, built once at boot. */
export interface Integrations {
  routed: RoutedDestination[];
  codeSources: CodeSource[];
  /** The vendors whose callbacks the receiver verifies (a route each). */
  callbacks: CallbackRoutesConfig;
}

export interface IntegrationDeps {
  /** The cabinet secret: opens sealed codes for the vendors whose report needs the text. */
  secret: Buffer;
  logger: Logger;
  now?: () => number;
}

/**
 * Builds each enabled vendor once: a vendor that both receives our events
 * and issues codes shares one client and one clock-offset estimate between
 * the two, so every answer improves both. Throws RangeError (or the vendor's
 * error) for a setting a vendor refuses: the boot stops with the reason.
 */
export function buildIntegrations(config: Config, deps: IntegrationDeps): Integrations {
  const { webhooks, dingshang, aituo, hongxun, yopoint } = config.cloud;
  const unseal = (sealed: string): string => unsealCode(deps.secret, sealed);
  const now = deps.now === undefined ? {} : { now: deps.now };
  const routed: RoutedDestination[] = [];
  const codeSources: CodeSource[] = [];

  for (const w of webhooks) {
    const pickup = w.includePickupCode ? { includePickupCode: true as const, unsealCode: unseal } : {};
    routed.push({ destination: new StandardWebhookDestination({ name: w.name, url: w.url, secret: w.secret, timeoutMs: w.timeoutMs, ...pickup }, now), eventTypes: DOMAIN_EVENT_TYPES });
  }
  if (dingshang) {
    const clock = new ClockOffset();
    const client = new DingshangClient(dingshang, { clock, logger: deps.logger });
    const codeFor = (e: { payload: { sealedCode?: string | undefined } }): string | null => (e.payload.sealedCode === undefined ? null : unseal(e.payload.sealedCode));
    routed.push({ destination: new DingshangDestination(dingshang, { client, codeFor, logger: deps.logger, ...now }), eventTypes: DINGSHANG_EVENT_TYPES });
    codeSources.push(new DingshangCodeSource(dingshang, { client, clock, logger: deps.logger }));
  }
  if (aituo) {
    routed.push({ destination: new AituoPushDestination(aituo, { unsealCode: unseal, ...now }), eventTypes: AITUO_EVENT_TYPES });
    if (aituo.api?.waitingOrders.enabled) {
      const client = new AituoClient(aituo.api, { deviceNo: aituo.deviceNo, boxNumbers: aituo.boxNumbers }, { clock: new ClockOffset() });
      codeSources.push(new AituoWaitingOrdersSource(client, { deviceNo: aituo.deviceNo, boxNumbers: aituo.boxNumbers, waitingOrders: aituo.api.waitingOrders }));
    }
  }
  if (hongxun) routed.push({ destination: new HongxunSignForDestination(hongxun, { clock: new ClockOffset(), ...now }), eventTypes: HONGXUN_EVENT_TYPES });

  const names = new Set<string>();
  for (const { destination } of routed) {
    if (names.has(destination.name)) throw new RangeError(`cloud: destination name "${destination.name}" is used twice`);
    names.add(destination.name);
  }
  return { routed, codeSources, callbacks: { yopoint: yopoint ?? null, dingshang: dingshang ? callbackAuthFor(dingshang) : null } };
}

/**
 * Compartments a vendor code source binds codes to (not to parcels), by
 * source: Dingshang's `lanes`. They are never given to a courier, or a
 * vendor's customer could open a courier's parcel (README "Custody").
 */
export function reservedCompartments(config: Config): Map<string, string> {
  const reserved = new Map<string, string>();
  for (const compartmentId of Object.values(config.cloud.dingshang?.lanes ?? {})) reserved.set(compartmentId, 'dingshang');
  return reserved;
}

/** Event type → the destinations that take it, plus `outbox.destinations` (which take everything). */
export function routeTable(routed: readonly RoutedDestination[], extra: readonly string[]): (type: DomainEventType) => readonly string[] {
  const table = new Map<DomainEventType, string[]>(DOMAIN_EVENT_TYPES.map((t) => [t, [...extra]]));
  for (const { destination, eventTypes } of routed) {
    for (const type of eventTypes) table.get(type)?.push(destination.name);
  }
  return (type) => table.get(type) ?? extra;
}
