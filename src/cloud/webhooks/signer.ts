import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks v1 symmetric signatures (docs/vendors/webhooks.md §2–§4,
 * "Signature scheme", "Webhook headers", "Verifying signatures"), computed as
 * the official libraries do: HMAC-SHA256 keyed with the base64-decoded part of
 * `whsec_…`, over the UTF-8 bytes of `${id}.${timestamp}.${body}`, sent as
 * `v1,<base64>`; several signatures are space-separated (secret rotation).
 * Pure: the caller passes the time.
 */

export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** The official libraries' default tolerance, applied both ways (too old and too new). */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/** Symmetric signatures only; `v1a` (ed25519) entries are skipped when verifying. */
const VERSION = 'v1';
// Canonical base64 with padding: what the official JS library's decoder accepts (it rejects bad length or padding).
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A signing secret: `whsec_<base64>` (or bare base64, as the libraries accept), or the raw key bytes. */
export type WebhookSecret = string | Uint8Array;

// A type alias, not an interface, so it passes where a header record is expected (a receiver's own tests, say).
export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

export type StandardWebhookErrorCode =
  | 'bad-secret'
  | 'bad-message-id'
  | 'missing-headers'
  | 'ambiguous-headers'
  | 'invalid-timestamp'
  | 'timestamp-too-old'
  | 'timestamp-too-new'
  | 'no-matching-signature';

/** A request to refuse (on the receiving side) or a call that cannot be signed (on the sending side). */
export class StandardWebhookError extends Error {
  override readonly name = 'StandardWebhookError';
  constructor(
    readonly code: StandardWebhookErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The key bytes of a secret: the `whsec_` prefix (optional, as in the official
 * libraries) is dropped and the rest base64-decoded. Throws `bad-secret` for
 * an empty key or text that is not canonical base64 (Node's own decoder would
 * silently skip bad characters and sign with a different key).
 */
export function webhookSecretKey(secret: WebhookSecret): Buffer {
  if (typeof secret !== 'string') {
    if (secret.length === 0) throw new StandardWebhookError('bad-secret', 'webhook secret is empty');
    return Buffer.from(secret);
  }
  const encoded = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret;
  if (encoded.length === 0 || !BASE64.test(encoded)) {
    throw new StandardWebhookError('bad-secret', 'webhook secret is not whsec_<base64>');
  }
  return Buffer.from(encoded, 'base64');
}

/** One `v1,<base64>` signature. `timestampSeconds` is the attempt time, whole seconds since the epoch. */
export function webhookSignature(secret: WebhookSecret, id: string, timestampSeconds: number, body: string | Uint8Array): string {
  const mac = createHmac('sha256', webhookSecretKey(secret));
  mac.update(`${id}.${timestampSeconds}.`, 'utf8');
  // A string body is hashed as UTF-8, as the libraries do; bytes are hashed as
  // sent (the same thing for any valid UTF-8 body).
  mac.update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  return `${VERSION},${mac.digest('base64')}`;
}

export interface SignWebhookInput {
  /** Same on every retry of one message: consumers dedupe on it. Must not contain `.` (docs/vendors/webhooks.md §3, "Signature scheme"). */
  id: string;
  /** The time of this attempt in whole seconds; a retry gets a new one (docs/vendors/webhooks.md §1, "Webhook metadata"). */
  timestampSeconds: number;
  /** The exact bytes that go on the wire. */
  body: string | Uint8Array;
  /** Current secret first; during a rotation add the old one too and each gets a signature. */
  secrets: readonly [WebhookSecret, ...WebhookSecret[]];
}

/** The three headers for one delivery attempt. Throws `bad-message-id` / `bad-secret`. */
export function signWebhook(input: SignWebhookInput): WebhookHeaders {
  // Spec: id and timestamp must not be user controlled, "or at the very least not be allowed to include any `.`".
  if (!/^[^\s.]+$/.test(input.id)) throw new StandardWebhookError('bad-message-id', 'webhook id must be non-empty, without dots or spaces');
  if (!Number.isSafeInteger(input.timestampSeconds) || input.timestampSeconds < 0) {
    throw new StandardWebhookError('invalid-timestamp', 'webhook timestamp must be whole seconds since the epoch');
  }
  const signatures = input.secrets.map((secret) => webhookSignature(secret, input.id, input.timestampSeconds, input.body));
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestampSeconds),
    'webhook-signature': signatures.join(' '),
  };
}

/** Header values as Node's `IncomingHttpHeaders` or a plain record give them; names in any case. */
export type IncomingHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyWebhookInput {
  headers: IncomingHeaders;
  /** The raw body as received, before any JSON parse (re-serialising breaks signatures). */
  body: string | Uint8Array;
  /** Every secret currently valid for this endpoint (rotation: new and old). */
  secrets: readonly [WebhookSecret, ...WebhookSecret[]];
  /** Now, in whole or fractional seconds since the epoch. */
  nowSeconds: number;
  /** Default `DEFAULT_TOLERANCE_SECONDS`. */
  toleranceSeconds?: number;
}

export interface VerifiedWebhook {
  id: string;
  timestampSeconds: number;
}

/**
 * Checks one incoming request. Returns its id (use it to dedupe) and time, or
 * throws `StandardWebhookError`: missing or duplicated headers, a timestamp
 * outside the tolerance either way (replay protection), or no `v1` signature
 * that matches any of the secrets (compared in constant time).
 */
export function verifyWebhook(input: VerifyWebhookInput): VerifiedWebhook {
  const id = header(input.headers, WEBHOOK_ID_HEADER);
  const rawTimestamp = header(input.headers, WEBHOOK_TIMESTAMP_HEADER);
  const signatureList = header(input.headers, WEBHOOK_SIGNATURE_HEADER);
  if (!id || !rawTimestamp || !signatureList) throw new StandardWebhookError('missing-headers', 'missing webhook-id, webhook-timestamp or webhook-signature');

  // The libraries parseInt the header and sign the parsed number; we accept
  // digits only (no "123abc") and sign the same canonical number.
  if (!/^\d+$/.test(rawTimestamp) || !Number.isSafeInteger(Number(rawTimestamp))) {
    throw new StandardWebhookError('invalid-timestamp', 'webhook-timestamp is not whole seconds');
  }
  const timestampSeconds = Number(rawTimestamp);
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = Math.floor(input.nowSeconds); // as the libraries do: whole seconds, so the window edges match theirs
  if (now - timestampSeconds > tolerance) throw new StandardWebhookError('timestamp-too-old', 'webhook-timestamp is too old');
  if (timestampSeconds - now > tolerance) throw new StandardWebhookError('timestamp-too-new', 'webhook-timestamp is in the future');

  // Entries are `<version>,<value>`; other versions (`v1a`, future ones) are not ours to check.
  const offered = signatureList.split(' ').flatMap((entry) => {
    const comma = entry.indexOf(',');
    return comma >= 0 && entry.slice(0, comma) === VERSION ? [Buffer.from(entry.slice(comma + 1), 'utf8')] : [];
  });

  for (const secret of input.secrets) {
    const expected = Buffer.from(webhookSignature(secret, id, timestampSeconds, input.body).slice(VERSION.length + 1), 'utf8');
    // Signature length is public (always 44 base64 chars); only equal lengths reach the constant-time compare.
    if (offered.some((value) => value.length === expected.length && timingSafeEqual(value, expected))) return { id, timestampSeconds };
  }
  throw new StandardWebhookError('no-matching-signature', 'no webhook-signature matches');
}

/** One header by case-insensitive name; a name given twice (or as an array) is refused, not guessed at. */
function header(headers: IncomingHeaders, name: string): string | undefined {
  let found: string | undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    if (found !== undefined || typeof value !== 'string') throw new StandardWebhookError('ambiguous-headers', `${name} given more than once`);
    found = value;
  }
  return found;
}
