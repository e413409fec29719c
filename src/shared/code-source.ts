/**
 * A vendor that issues pickup codes for this cabinet, as the code puller
 * (src/core) consumes it and each vendor's code source (src/cloud)
 * implements it. Pure types: the plain code is hashed with the cabinet
 * secret by the puller before anything is stored, so src/cloud never sees
 * the key nor the store.
 */

/** One code as a vendor holds it (the whole set is applied at once). */
export interface PulledCode {
  /** The vendor's id for the code: the key of the set (`replaceCodesFromSource`). */
  externalId: string;
  code: string;
  compartmentId?: string | null;
  parcelId?: string | null;
  validFrom: number;
  validUntil?: number | null;
  /** The user the vendor issued the code for, in its own ids, when it names one (kept for the report of the pickup). */
  userRef?: string | null;
  /** The vendor's order the code belongs to, when it names one. */
  orderRef?: string | null;
}

export interface CodeSource {
  /** The pickup-code source name stored with each code, e.g. `dingshang`. */
  readonly name: string;
  /**
   * Every code the vendor currently holds for this cabinet (the whole set: a
   * code missing from it is cancelled locally). Throws on any failure: a
   * partial list must never be applied as the whole set.
   */
  pullAll(signal: AbortSignal): Promise<PulledCode[]>;
  /**
   * The outbox destination that talks to the same vendor server (one client
   * for both): when it comes back online after an outage, this source is
   * reachable again and is pulled at once. Absent: only its schedule and a
   * request pull it; another destination's recovery never does.
   */
  readonly destination?: string;
  /** Withdraws one code upstream (service mode). Absent: this vendor's codes cannot be cancelled from the cabinet. Throws on failure. */
  cancelCode?(externalId: string, signal?: AbortSignal): Promise<void>;
}
