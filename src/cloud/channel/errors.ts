export type ChannelErrorCode =
  /** `url` is not a ws:// or wss:// URL. */
  | 'bad-url'
  /** The device token is empty or has characters a header cannot carry. */
  | 'bad-token'
  /** The command secret is empty. */
  | 'bad-secret'
  /** A timing or size option is not a positive integer (meta.option names it). */
  | 'bad-option';

/** The channel's configuration cannot work; fix `cloud.channel` in the configuration. Never quotes the token or secret. */
export class ChannelError extends Error {
  override readonly name = 'ChannelError';
  constructor(
    readonly code: ChannelErrorCode,
    message: string,
    readonly meta: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
