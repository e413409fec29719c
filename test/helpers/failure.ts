import { KioskError } from '../../src/shared/errors.js';

/** Awaits a flow that must fail, and returns its KioskError (anything else fails the test). */
export async function failure(p: Promise<unknown>): Promise<KioskError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof KioskError) return err;
    throw err;
  }
  throw new Error('expected a KioskError');
}
