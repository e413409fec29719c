/**
 * What the flows need from the outside, as narrow as they use it. The
 * composition root (src/main) passes in objects that satisfy these; nothing
 * here names a vendor, a transport or the agent.
 */

/** One code as a vendor holds it (the whole set is applied at once). */
export interface PulledCode {
  /** The vendor's id for the code: the key of the set. */
  externalId: string;
  code: string;
  compartmentId?: string | null;
  parcelId?: string | null;
  validFrom: number;
  validUntil?: number | null;
}

/** A vendor that issues pickup codes for this cabinet. */
export interface CodeSource {
  /** The pickup-code source name stored with each code, e.g. `dingshang`. */
  readonly name: string;
  /** Every code the vendor holds for this cabinet; throws on any failure (a partial list is never the whole set). */
  pullAll(signal: AbortSignal): Promise<PulledCode[]>;
  /** Withdraws one code upstream; absent when the vendor's codes cannot be cancelled from the cabinet. */
  cancelCode?(externalId: string, signal?: AbortSignal): Promise<void>;
}
