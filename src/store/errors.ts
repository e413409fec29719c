/**
 * The store's one error class (docs/architecture.md, style rule 12). `code` is what a caller acts
 * on; `message` is for logs only. Programming errors (a malformed argument
 * that config/IPC validation should have caught) are thrown as RangeError or
 * TypeError instead, so they never masquerade as a business outcome.
 */
export type StoreErrorCode =
  | 'schema-from-future'
  | 'migration-failed'
  | 'not-found'
  | 'invalid-transition'
  | 'duplicate'
  | 'corrupt-row'
  | 'open-failed';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    readonly meta: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The extended result code of a better-sqlite3 `SqliteError`, if `err` is one. */
export function sqliteCode(err: unknown): string | undefined {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('SQLITE_')) {
    return err.code;
  }
  return undefined;
}

/** UNIQUE or PRIMARY KEY constraint failure. Never throws. */
export function isUniqueViolation(err: unknown): boolean {
  const code = sqliteCode(err);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** FOREIGN KEY constraint failure. Never throws. */
export function isForeignKeyViolation(err: unknown): boolean {
  return sqliteCode(err) === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
