// Rotates keys whose rotation policy says it is time, and records near-expiry events, as Azure's key auto-rotation
// does. The rules live in domain/keys/key-rotation.ts; this is only the scheduler's handle on them.
import type { KeyRotation } from '../domain/keys/key-rotation.js';

export function createRotateKeysJob(deps: { rotation: Pick<KeyRotation, 'runDue'> }) {
  /** One pass over every due key; returns what it did (rotated, notified, skipped, failed). */
  return async function rotateKeys() {
    return deps.rotation.runDue();
  };
}
