/**
 * Every vendor integration, once: its key under `cloud:` in the
 * configuration and the schema of its value, the event types its
 * destinations take, and the factories of its destinations, code sources and
 * callback route. src/main builds the integrations (`buildIntegrations`),
 * validates `cloud:` (`VENDOR_CONFIG_SHAPE`, `claimedDestinationNames`) and
 * the receiver serves the callback routes (`callbackRoutes`) by iterating
 * this table and nothing else: adding a vendor touches its folder and this
 * file.
 */
import { z } from 'zod';
import { DOMAIN_EVENT_TYPES, type DomainEventType } from '../shared/events.js';
import type { Logger } from '../shared/logger.js';
import { AituoClient } from './aituo/client.js';
import { AITUO_CODE_SOURCE, AituoWaitingOrdersSource } from './aituo/code-source.js';
import { aituoConfigSchema } from './aituo/config.js';
import { AITUO_EVENT_TYPES, AituoPushDestination } from './aituo/destination.js';
import { ClockOffset } from './common/clock-offset.js';
import { DingshangClient } from './dingshang/client.js';
import { DingshangCodeSource } from './dingshang/code-source.js';
import { callbackAuthFor, dingshangConfigSchema } from './dingshang/config.js';
import { DINGSHANG_EVENT_TYPES, DingshangDestination } from './dingshang/destination.js';
import { hongxunSignForConfigSchema } from './hongxun/config.js';
import { HONGXUN_EVENT_TYPES, HongxunSignForDestination } from './hongxun/destination.js';
import { dingshangRoute } from './receiver/dingshang-route.js';
import type { CallbackRoute } from './receiver/route.js';
import { yopointRoute } from './receiver/yopoint-route.js';
import type { CodeSource, Destination } from './sync/ports.js';
import { webhookConfigSchema } from './webhooks/config.js';
import { StandardWebhookDestination } from './webhooks/destination.js';
import { yopointOptionsSchema } from './yopoint/config.js';

/** What a vendor's factories get from src/main. */
export interface IntegrationContext {
  /** Opens a sealed pickup code (the cabinet secret stays in src/main), for the vendors whose report needs the text. */
  unsealCode: (sealed: string) => string;
  logger: Logger;
  /** The user and order references a code source gave with a code (kept in the store), for the vendors whose pickup report names them. */
  codeRefs?: (source: string, externalId: string) => { userRef: string | null; orderRef: string | null } | undefined;
  /** Default Date.now. */
  now?: () => number;
}

/** A configured destination and the event types it is sent (one outbox row per event it takes). */
export interface RoutedDestination {
  destination: Destination;
  eventTypes: readonly DomainEventType[];
}

/** A destination name a vendor claims, with its path under `cloud` for the error that names a duplicate. */
export interface ClaimedName {
  name: string;
  path: (string | number)[];
}

/**
 * One vendor. `C` is its configured value (the schema's output without the
 * absent case); `O` what its callback route verifies with. Factories throw
 * RangeError (or the vendor's error) for a setting the vendor refuses.
 */
export interface VendorIntegration<S extends z.ZodType, C, O = never> {
  /** The value under `cloud.<key>`: optional (or an empty list by default), since every integration is off unless configured. */
  readonly schema: S;
  /** The event types its destinations take. */
  readonly eventTypes: readonly DomainEventType[];
  /** The outbox destination names it claims (unique across `cloud`), paths relative to its key. */
  names(config: C): ClaimedName[];
  /**
   * Its destinations and code sources. A vendor that both receives our
   * events and issues codes shares one client and one clock-offset estimate
   * between the two, so every answer improves both.
   */
  build(config: C, ctx: IntegrationContext): { destinations: Destination[]; codeSources: CodeSource[] };
  /** The callback the receiver serves for it: the options its route verifies with, and the route. */
  callback?: { options(config: C): O; route(options: O): CallbackRoute };
  /** Compartments its codes are bound to (never given to a courier), as compartment ids. */
  reservedCompartments?(config: C): string[];
}

const integration = <S extends z.ZodType, C, O = never>(v: VendorIntegration<S, C, O>): VendorIntegration<S, C, O> => v;
const withNow = (ctx: IntegrationContext): { now?: () => number } => (ctx.now === undefined ? {} : { now: ctx.now });

/** The vendors, in the order their destinations are built (and listed by `status`) and their callback routes served. */
export const VENDORS = {
  /** Standard Webhooks backends (src/cloud/webhooks/README.md): every event, one destination per entry. */
  webhooks: integration({
    schema: z.array(webhookConfigSchema).default([]),
    eventTypes: DOMAIN_EVENT_TYPES,
    names: (list: z.output<typeof webhookConfigSchema>[]) => list.map((w, i) => ({ name: w.name, path: [i, 'name'] })),
    build: (list, ctx) => ({
      destinations: list.map((w) => {
        const pickup = w.includePickupCode ? { includePickupCode: true as const, unsealCode: ctx.unsealCode } : {};
        return new StandardWebhookDestination({ name: w.name, url: w.url, secret: w.secret, timeoutMs: w.timeoutMs, ...pickup }, withNow(ctx));
      }),
      codeSources: [],
    }),
  }),
  /** Yopoint operator platform: gateway credentials; its notifications arrive at the receiver. src/cloud/yopoint/README.md. */
  yopoint: integration({
    schema: yopointOptionsSchema.optional(),
    eventTypes: [],
    names: () => [],
    build: () => ({ destinations: [], codeSources: [] }),
    callback: { options: (c: z.output<typeof yopointOptionsSchema>) => c, route: yopointRoute },
  }),
  /** Dingshang Open API: pickup codes pulled into the cache, used codes reported, delivery callbacks (docs/vendors/dingshang.md). src/cloud/dingshang/README.md. */
  dingshang: integration({
    schema: dingshangConfigSchema.optional(),
    eventTypes: DINGSHANG_EVENT_TYPES,
    names: (c: z.output<typeof dingshangConfigSchema>) => [{ name: c.name, path: ['name'] }],
    build: (c, ctx) => {
      const clock = new ClockOffset();
      const client = new DingshangClient(c, { clock, logger: ctx.logger });
      const codeFor = (e: { payload: { sealedCode?: string | undefined } }): string | null => (e.payload.sealedCode === undefined ? null : ctx.unsealCode(e.payload.sealedCode));
      return {
        destinations: [new DingshangDestination(c, { client, codeFor, logger: ctx.logger, ...withNow(ctx) })],
        codeSources: [new DingshangCodeSource(c, { client, clock, logger: ctx.logger })],
      };
    },
    callback: { options: (c: z.output<typeof dingshangConfigSchema>) => callbackAuthFor(c), route: dingshangRoute },
    // `lanes` bind vendor codes to compartments, not parcels: a courier never gets one, or a vendor's customer could open a courier's parcel (README "Custody").
    reservedCompartments: (c) => Object.values(c.lanes ?? {}),
  }),
  /** Aituo smart-locker merchant pushes 1001–1003 (docs/vendors/aituo.md §3), and the unverified 3.1 calls under `api`. src/cloud/aituo/README.md lists every key. */
  aituo: integration({
    schema: aituoConfigSchema.optional(),
    eventTypes: AITUO_EVENT_TYPES,
    names: (c: z.output<typeof aituoConfigSchema>) => [{ name: c.name, path: ['name'] }],
    build: (c, ctx) => {
      const codeSources: CodeSource[] = [];
      if (c.api?.waitingOrders.enabled) {
        const client = new AituoClient(c.api, { deviceNo: c.deviceNo, boxNumbers: c.boxNumbers }, { clock: new ClockOffset() });
        codeSources.push(new AituoWaitingOrdersSource(client, { deviceNo: c.deviceNo, boxNumbers: c.boxNumbers, waitingOrders: c.api.waitingOrders }));
      }
      const codeRefs = ctx.codeRefs === undefined ? {} : { codeRefs: ctx.codeRefs };
      return { destinations: [new AituoPushDestination(c, { unsealCode: ctx.unsealCode, codeSource: AITUO_CODE_SOURCE, ...codeRefs, ...withNow(ctx) })], codeSources };
    },
  }),
  /** Hongxun sign-for push after a pickup (docs/vendors/hongxun.md §7.8). src/cloud/hongxun/README.md lists every key. */
  hongxun: integration({
    schema: hongxunSignForConfigSchema.optional(),
    eventTypes: HONGXUN_EVENT_TYPES,
    names: (c: z.output<typeof hongxunSignForConfigSchema>) => [{ name: c.name, path: ['name'] }],
    build: (c, ctx) => ({ destinations: [new HongxunSignForDestination(c, { clock: new ClockOffset(), ...withNow(ctx) })], codeSources: [] }),
  }),
};

export type VendorKey = keyof typeof VENDORS;

/** The vendor keys of `cloud:` and their schemas, for src/main's configuration schema. */
export const VENDOR_CONFIG_SHAPE: { [K in VendorKey]: (typeof VENDORS)[K]['schema'] } = Object.fromEntries(
  Object.entries(VENDORS).map(([key, v]) => [key, v.schema]),
) as { [K in VendorKey]: (typeof VENDORS)[K]['schema'] };

/** The vendor part of a parsed `cloud:`. */
export type VendorConfigs = { [K in VendorKey]: z.output<(typeof VENDORS)[K]['schema']> };

/** The options of each configured vendor's callback route; null or absent: no route. */
export type CallbackRoutesConfig = {
  [K in VendorKey as (typeof VENDORS)[K] extends { callback: object } ? K : never]?: (typeof VENDORS)[K] extends VendorIntegration<z.ZodType, unknown, infer O> ? O | null : never;
};

/** The table without its per-vendor types, for the loops below (each entry's value is checked by its own schema). */
type AnyIntegration = VendorIntegration<z.ZodType, unknown, unknown>;
function configured(configs: Partial<VendorConfigs>): Array<[VendorKey, AnyIntegration, unknown]> {
  const out: Array<[VendorKey, AnyIntegration, unknown]> = [];
  for (const [key, vendor] of Object.entries(VENDORS) as Array<[VendorKey, AnyIntegration]>) {
    const config = configs[key];
    if (config !== undefined && config !== null) out.push([key, vendor, config]);
  }
  return out;
}

/** Every destination name the configured vendors claim, with its path under `cloud`. */
export function claimedDestinationNames(configs: Partial<VendorConfigs>): ClaimedName[] {
  return configured(configs).flatMap(([key, vendor, config]) => vendor.names(config).map((n) => ({ name: n.name, path: [key, ...n.path] })));
}

/** Everything the vendor part of `cloud:` switches on. */
export interface Integrations {
  routed: RoutedDestination[];
  codeSources: CodeSource[];
  /** The vendors whose callbacks the receiver verifies (a route each). */
  callbacks: CallbackRoutesConfig;
}

/**
 * Builds each configured vendor once, in table order. Throws RangeError for
 * a destination name used twice, or what a vendor's factory throws: the boot
 * stops with the reason.
 */
export function buildIntegrations(configs: Partial<VendorConfigs>, ctx: IntegrationContext): Integrations {
  const routed: RoutedDestination[] = [];
  const codeSources: CodeSource[] = [];
  const callbacks: Record<string, unknown> = {};
  for (const [key, vendor, config] of configured(configs)) {
    const built = vendor.build(config, ctx);
    for (const destination of built.destinations) routed.push({ destination, eventTypes: vendor.eventTypes });
    codeSources.push(...built.codeSources);
    if (vendor.callback !== undefined) callbacks[key] = vendor.callback.options(config);
  }
  const names = new Set<string>();
  for (const { destination } of routed) {
    if (names.has(destination.name)) throw new RangeError(`cloud: destination name "${destination.name}" is used twice`);
    names.add(destination.name);
  }
  return { routed, codeSources, callbacks: callbacks as CallbackRoutesConfig };
}

/**
 * The receiver's routes: one per vendor with a callback whose options are
 * given. Throws ReceiverError('unauthenticated-route') for a route configured
 * with nothing to verify.
 */
export function callbackRoutes(config: CallbackRoutesConfig): CallbackRoute[] {
  const routes: CallbackRoute[] = [];
  for (const [key, vendor] of Object.entries(VENDORS) as Array<[VendorKey, AnyIntegration]>) {
    const options = (config as Record<string, unknown>)[key];
    if (vendor.callback !== undefined && options !== undefined && options !== null) routes.push(vendor.callback.route(options));
  }
  return routes;
}

/** Compartment id → the vendor whose codes are bound to it (never given to a courier). */
export function reservedCompartments(configs: Partial<VendorConfigs>): Map<string, string> {
  const reserved = new Map<string, string>();
  for (const [key, vendor, config] of configured(configs)) {
    for (const compartmentId of vendor.reservedCompartments?.(config) ?? []) reserved.set(compartmentId, key);
  }
  return reserved;
}
