import { buildIntegrations as buildVendorIntegrations, reservedCompartments as vendorReservedCompartments, type Integrations, type RoutedDestination } from '../../cloud/index.js';
import { DOMAIN_EVENT_TYPES, type DomainEventType } from '../../shared/events.js';
import type { Logger } from '../../shared/logger.js';
import type { Config } from '../config/schema.js';
import { unsealCode } from '../../core/sealed-code.js';
import * as store from '../../store/index.js';

export type { Integrations, RoutedDestination };

export interface IntegrationDeps {
  /** The cabinet secret: opens sealed codes for the vendors whose report needs the text. */
  secret: Buffer;
  logger: Logger;
  /** Where the references a code source gave with its codes are kept (pickup reports name them). Absent: none are looked up. */
  db?: store.ReadDb;
  now?: () => number;
}

/**
 * Builds each enabled vendor once, as src/cloud/registry.ts lists them.
 * Throws RangeError (or the vendor's error) for a setting a vendor refuses:
 * the boot stops with the reason.
 */
export function buildIntegrations(config: Config, deps: IntegrationDeps): Integrations {
  const unseal = (sealed: string): string => unsealCode(deps.secret, sealed);
  const { db } = deps;
  const codeRefs = db === undefined ? {} : { codeRefs: (source: string, externalId: string) => store.sourceCodeRefs(db, source, externalId) };
  return buildVendorIntegrations(config.cloud, { unsealCode: unseal, logger: deps.logger, ...codeRefs, ...(deps.now === undefined ? {} : { now: deps.now }) });
}

/**
 * Compartments a vendor code source binds codes to (not to parcels), by
 * source (Dingshang's `lanes`). They are never given to a courier, or a
 * vendor's customer could open a courier's parcel (README "Custody").
 */
export function reservedCompartments(config: Config): Map<string, string> {
  return vendorReservedCompartments(config.cloud);
}

/** Event type → the destinations that take it, plus `outbox.destinations` (which take everything). */
export function routeTable(routed: readonly RoutedDestination[], extra: readonly string[]): (type: DomainEventType) => readonly string[] {
  const table = new Map<DomainEventType, string[]>(DOMAIN_EVENT_TYPES.map((t) => [t, [...extra]]));
  for (const { destination, eventTypes } of routed) {
    for (const type of eventTypes) table.get(type)?.push(destination.name);
  }
  return (type) => table.get(type) ?? extra;
}
