export type FleetErrorCode =
  /** The prefix and thing name make a topic deeper than `limits.maxTopicLevels`. */
  | 'topic-too-deep'
  /** A message is larger than `limits.maxPayloadBytes`; it was not published. */
  | 'payload-too-large'
  /** The link is stopped: nothing more is published. */
  | 'stopped'
  /** The broker did not acknowledge in time, or the connection dropped before the PUBACK. */
  | 'not-acknowledged'
  /** The operator's side gave up waiting (fleet CLI). */
  | 'timeout';

/** A fleet link failure a person can act on (docs/fleet.md). Never quotes a password or secret. */
export class FleetError extends Error {
  override readonly name = 'FleetError';
  constructor(
    readonly code: FleetErrorCode,
    message: string,
    readonly meta: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
