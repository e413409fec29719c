/** JSON.parse that says `undefined` for text that is not JSON: for payloads a schema checks next. */
export function safeJson(payload: Buffer | string): unknown {
  try {
    return JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
