import { fail, info, pass, type CheckResult } from '../check.js';

export type DatabaseFacts =
  | { path: string; state: 'missing' }
  | { path: string; state: 'checked'; ok: boolean; detail: string[]; by: 'agent' | 'doctor' }
  | { path: string; state: 'unreadable'; error: string };

/** `database.integrity`: SQLite `quick_check`, asked of the agent when it runs (it holds the file) or read-only here. */
export function databaseChecks(f: DatabaseFacts): CheckResult[] {
  switch (f.state) {
    case 'missing':
      return [info('database.integrity', `${f.path} does not exist yet: the agent creates it at first start`)];
    case 'unreadable':
      return [fail('database.integrity', `${f.path} cannot be opened: ${f.error}`, 'run doctor as root or as the service user, which owns the data folder')];
    case 'checked':
      return f.ok
        ? [pass('database.integrity', `quick_check ok (${f.by === 'agent' ? 'asked of the running agent' : 'read-only'}) on ${f.path}`)]
        : [fail('database.integrity', `quick_check found damage in ${f.path}: ${f.detail.slice(0, 3).join('; ')}`, 'stop the agent, keep a copy of the damaged file for the report, and restore the database from the last backup')];
  }
}
