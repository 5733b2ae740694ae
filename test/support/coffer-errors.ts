// Assertions on the errors domain services throw, for unit tests.
import assert from 'node:assert/strict';
import { CofferError } from '../../src/errors.js';

/** Awaits `promise`, which must reject with a CofferError of this status and code (and message, when given). */
export async function rejectsWith(promise: Promise<unknown>, status: number, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CofferError, String(error));
    assert.equal(error.status, status);
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });
}
