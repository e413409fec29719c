/**
 * A vendor's error answer may echo what we sent (a framework printing the
 * request on a 400, a proxy's error page): every secret, signature or code
 * we sent is replaced before the text reaches an outbox row, an error or a
 * log. Values shorter than `minChars` are left alone: replacing "1" would
 * shred the text, and so short a value identifies nothing.
 */
export const REDACTED = '[redacted]';

export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined>, minChars = 4): string {
  let out = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= minChars) out = out.split(secret).join(REDACTED);
  }
  return out;
}
