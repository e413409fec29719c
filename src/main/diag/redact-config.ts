import { REDACT_PATHS } from '../logging.js';

/** The logger's censor (logging.ts) and the cloud layer's (src/cloud/common/redact.ts): one marker everywhere. */
const REDACTED = '[redacted]';

/**
 * Keys whose values never leave the cabinet in a diagnostic archive: the
 * logger's redaction list (logging.ts REDACT_PATHS: pin, secret, token,
 * signature, appKey, appSecret, sk …) by its last segment, plus anything
 * named like a PIN, secret, token, password, key or credential (courierPin,
 * urlToken, credentialHeaders …).
 */
const LOGGER_KEYS = new Set(REDACT_PATHS.map((p) => p.split('.').pop()!.toLowerCase()));
const SECRET_NAME = /pin$|secret|token|password|passwd|signature|credential|authorization|(^|[a-z])key$/i;

export function isSecretKey(key: string): boolean {
  return LOGGER_KEYS.has(key.toLowerCase()) || SECRET_NAME.test(key);
}

/**
 * A deep copy with every secret value replaced by `[redacted]` (whole
 * subtrees under a secret key), and user:password in URLs removed. Also
 * returns the secret strings found, so other text (logs, doctor output) can
 * be scrubbed of them wherever they appear.
 */
export function redactConfig(value: unknown): { redacted: unknown; secrets: string[] } {
  const secrets: string[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === 'string') secrets.push(v);
    else if (typeof v === 'number') secrets.push(String(v));
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object') Object.values(v).forEach(collect);
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v).map(([k, child]) => {
          if (!isSecretKey(k) || child === null || child === undefined || typeof child === 'boolean') return [k, walk(child)];
          collect(child);
          return [k, REDACTED];
        }),
      );
    }
    if (typeof v === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*@/i.test(v)) {
      const at = v.indexOf('@');
      const userinfo = v.slice(v.indexOf('//') + 2, at);
      secrets.push(userinfo, ...userinfo.split(':'));
      return `${v.slice(0, v.indexOf('//') + 2)}${REDACTED}${v.slice(at)}`;
    }
    return v;
  };
  const redacted = walk(value);
  return { redacted, secrets: [...new Set(secrets.filter((s) => s.length >= 4))] };
}
