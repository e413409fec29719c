import type { DomainEventType } from '../../shared/events.js';
import { httpUrl, isHttpsUnlessLoopback } from '../common/http.js';
import type { OutboundEvent } from '../common/outbound-event.js';
import { PushDestination, type BuiltPush } from '../common/push-destination.js';
import { classifyHttp } from '../sync/classify.js';
import type { AituoConfig } from './config.js';
import { AITUO_MAPPED_EVENT_TYPES, AituoMappingError, aituoPushFor, type AituoPushRefs, type UnsealCode } from './mapper.js';
import { aituoPushAck } from './schemas.js';

/** The event types that become a push (docs/vendors/aituo.md §3.2 table); any other type is skipped (nothing to send). */
export const AITUO_EVENT_TYPES: readonly DomainEventType[] = AITUO_MAPPED_EVENT_TYPES;

export interface AituoPushDestinationDeps {
  /** Opens `parcel.stored.sealedCode` for the 1001 `pinCode`. Its errors are never quoted (they could hold the code). */
  unsealCode: UnsealCode;
  /**
   * Values our events lack (an Aituo employee id, the merchant's order code…),
   * looked up by src/main per event. Must answer the same for every attempt of
   * one event, or a redelivery is not byte-identical. Default none.
   */
  refsFor?: (event: OutboundEvent) => AituoPushRefs | undefined;
  /**
   * The pickup-code source name of Aituo's own codes (the 1018 source).
   * A 1003 for a pickup with one of them carries the PIN used (unsealed from
   * the event) and the user and order kept with the code (`codeRefs`).
   * Default none: no code is Aituo's.
   */
  codeSource?: string;
  /** The user and order references kept with a pulled code (store), by source and external id. */
  codeRefs?: (source: string, externalId: string) => { userRef: string | null; orderRef: string | null } | undefined;
  /** Default Date.now: the base of a Retry-After date. */
  now?: () => number;
}

/**
 * The Aituo merchant pushes 1001 EmployeeDropoff / 1002 EmployeeReturn /
 * 1003 CustomerPickup (docs/vendors/aituo.md §3.2, §3.3), one POST of the documented
 * seven-string body per event to the configured merchant URL.
 *
 * Idempotency: §3.3 has no documented dedup key. With `tid: 'event-id'`
 * (the default) `tid` carries our event id, the same on every attempt; with
 * `tid: 'device-no'` no documented key is left for it, and a redelivery is
 * recognisable only as a byte-identical body (README.md "Idempotency").
 */
export class AituoPushDestination extends PushDestination<BuiltPush> {
  /**
   * `config` is the output of `aituoConfigSchema`. Throws RangeError for a URL
   * that is not http(s), or an http URL to another host while 1001 carries
   * the plain PIN (`dropoffPinCode: 'unsealed'`): a live pickup code never
   * crosses the network in clear (set `dropoffPinCode: 'absent'` or use https).
   */
  constructor(config: AituoConfig, deps: AituoPushDestinationDeps) {
    const url = httpUrl(config.url, `aituo ${config.name}`);
    if (config.dropoffPinCode === 'unsealed' && !isHttpsUnlessLoopback(url)) {
      throw new RangeError(`aituo ${config.name}: 1001 carries the pickup PIN; the url must be https`);
    }
    const now = deps.now ?? Date.now;
    // A used code may still open its door once within the grace period: its PIN crosses the network only encrypted (or to a loopback relay).
    const pinSafe = isHttpsUnlessLoopback(url);
    super(
      // A receiver may echo the request in an error (a 400 printing the body): the credentials of the operator's headers, and each push's PIN.
      { name: config.name, url, timeoutMs: config.timeoutMs, now, secrets: Object.values(config.headers) },
      {
        build: (event) => {
          const refs = { ...ownCodeRefs(event, deps, pinSafe), ...definedOnly(deps.refsFor?.(event) ?? {}) };
          const push = AITUO_EVENT_TYPES.includes(event.type) ? aituoPushFor(event, config, { unsealCode: deps.unsealCode }, refs) : null;
          if (push === null) return { kind: 'skip', reason: `Aituo has no push for ${event.type} (§3.2: 1001–1003 only)` };
          return {
            kind: 'send',
            push: {
              // §3.3: "Request body: application/json". Credentials after it: the operator's headers are deliberate.
              headers: { 'content-type': 'application/json', ...config.headers },
              // Key order of the §3.3 example (the mapper builds it so).
              body: JSON.stringify(push),
              secrets: [push.pinCode],
            },
          };
        },
        // Permanent: the same event and config build the same failure on every attempt.
        buildFailure,
        classify: (answer) => {
          const outcome = classifyHttp(answer.status, answer.headers, answer.text, now());
          // UNVERIFIED: docs/vendors/aituo.md §3.1 (reply format unknown): aituoPushAck takes any 2xx as delivered.
          if (outcome.kind === 'delivered' && !aituoPushAck(answer.status, answer.text).delivered) {
            return { kind: 'dead', reason: `HTTP ${answer.status}: not an acknowledgement` };
          }
          return outcome;
        },
      },
    );
  }
}

/**
 * What we know of a pickup made with one of Aituo's own codes: the PIN typed
 * (sealed in the event) and the user and order Aituo gave with the code.
 * Nothing for another source's code: its PIN and order are not Aituo's.
 */
function ownCodeRefs(event: OutboundEvent, deps: AituoPushDestinationDeps, pinSafe: boolean): AituoPushRefs {
  if (event.type !== 'parcel.picked-up' || deps.codeSource === undefined || event.payload.codeSource !== deps.codeSource) return {};
  const p = event.payload;
  const kept = p.codeExternalId === null ? undefined : deps.codeRefs?.(p.codeSource, p.codeExternalId);
  return {
    pinCode: pinSafe && p.sealedCode !== undefined ? deps.unsealCode(p.sealedCode) : undefined,
    userId: kept?.userRef ?? undefined,
    orderCode: kept?.orderRef ?? undefined,
  };
}

/** `{k: undefined}` must not hide a value in a spread. */
function definedOnly(refs: AituoPushRefs): AituoPushRefs {
  return Object.fromEntries(Object.entries(refs).filter(([, v]) => v !== undefined)) as AituoPushRefs;
}

function buildFailure(err: unknown): string {
  // The mapper's message names the field and event id, never a value.
  if (err instanceof AituoMappingError) return `cannot build the push: ${err.message}`;
  // Not the message: the unsealer is main's, and its error could quote the code.
  return `cannot build the push: ${err instanceof Error ? err.name : typeof err}`;
}
