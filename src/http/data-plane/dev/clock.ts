// The development clock's controls, served only with --dev-clock (see src/dev-clock.ts): GET /_coffer/dev/clock
// reads the server's time for objects, POST moves it forward. Administrator only, audited like every operation.
import { Type } from 'typebox';
import type { DevClock } from '../../../dev-clock.js';
import { MAX_ADVANCE_SECONDS } from '../../../dev-clock.js';
import { errors } from '../../../errors.js';
import { defineOperation } from '../../define-operation.js';

/** Absent unless the server runs with --dev-clock; the routes are registered only then. */
export interface DevClockServices {
  devClock?: DevClock | undefined;
}

function required(services: DevClockServices): DevClock {
  if (!services.devClock) throw errors.routeNotFound('GET', '/_coffer/dev/clock');
  return services.devClock;
}

// Not an Azure action: no Azure role grants it, so only the administrator passes authorization.
const action = 'Coffer/devClock/action';

const state = (clock: DevClock) => ({
  now: new Date(clock.nowMs()).toISOString(),
  nowUnix: Math.floor(clock.nowMs() / 1000),
  offsetSeconds: clock.offsetSeconds(),
});

const getDevClock = defineOperation({
  method: 'GET',
  url: '/_coffer/dev/clock',
  operationName: 'CofferDevClockGet',
  action,
  handle: async (_ctx, _input, services: DevClockServices) => ({ body: state(required(services)) }),
});

const advanceDevClock = defineOperation({
  method: 'POST',
  url: '/_coffer/dev/clock',
  operationName: 'CofferDevClockAdvance',
  action,
  schema: { body: Type.Object({ advanceSeconds: Type.Integer() }) },
  handle: async (_ctx, { body }, services: DevClockServices) => {
    const devClock = required(services);
    if (body.advanceSeconds < 0 || body.advanceSeconds > MAX_ADVANCE_SECONDS) {
      throw errors.badParameter(`advanceSeconds must be from 0 to ${MAX_ADVANCE_SECONDS} (time only moves forward).`);
    }
    await devClock.advance(body.advanceSeconds);
    return { body: state(devClock) };
  },
});

export const devClockOperations = [getDevClock, advanceDevClock];
