import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CofferError } from '../../errors.js';
import {
  addDuration,
  defaultRotationPolicy,
  dueTimes,
  nominalSeconds,
  parseDuration,
  parseRotationPolicy,
  rotatedExpiry,
  toWirePolicy,
} from './rotation-policy.js';

const day = 86_400;
const at = (iso: string) => Date.parse(iso) / 1000;

function refused(input: unknown, message: RegExp): void {
  assert.throws(
    () => parseRotationPolicy(input),
    (error: unknown) => {
      assert.ok(error instanceof CofferError, String(error));
      assert.equal(error.status, 400);
      assert.equal(error.code, 'BadParameter');
      assert.match(error.message, message);
      return true;
    },
  );
}

const rotate = (trigger: Record<string, unknown>, type = 'Rotate') => ({ trigger, action: { type } });
const notify = (timeBeforeExpiry: unknown, type = 'Notify') => ({ trigger: { timeBeforeExpiry }, action: { type } });

describe('parseDuration', () => {
  it('reads the ISO 8601 forms Azure documents', () => {
    assert.deepEqual(parseDuration('P90D', 'x'), { years: 0, months: 0, weeks: 0, days: 90, hours: 0, minutes: 0, seconds: 0 });
    assert.deepEqual(parseDuration('P3M', 'x'), { years: 0, months: 3, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 });
    assert.deepEqual(parseDuration('PT48H', 'x'), { years: 0, months: 0, weeks: 0, days: 0, hours: 48, minutes: 0, seconds: 0 });
    assert.deepEqual(parseDuration('P1Y10D', 'x'), { years: 1, months: 0, weeks: 0, days: 10, hours: 0, minutes: 0, seconds: 0 });
    assert.deepEqual(parseDuration('P2W', 'x'), { years: 0, months: 0, weeks: 2, days: 0, hours: 0, minutes: 0, seconds: 0 });
    assert.deepEqual(parseDuration('P1Y2M3DT4H5M6S', 'x'), { years: 1, months: 2, weeks: 0, days: 3, hours: 4, minutes: 5, seconds: 6 });
  });

  it('refuses what is not a duration, naming the field and the value', () => {
    for (const text of ['', 'P', 'PT', 'P1DT', '90D', 'p90d', 'P1.5D', '-P1D', 'P1D2Y', 'PT1D', 'P 1D', 'P1234567890D']) {
      assert.throws(() => parseDuration(text, 'attributes.expiryTime'), (error: unknown) => {
        assert.ok(error instanceof CofferError);
        assert.equal(error.code, 'BadParameter');
        assert.ok(error.message.includes(`attributes.expiryTime '${text}'`), error.message);
        return true;
      });
    }
    assert.throws(() => parseDuration('P999999999Y', 'x'), /longer than this server supports/);
  });

  it('measures minimums with 365-day years and 30-day months', () => {
    assert.equal(nominalSeconds(parseDuration('P1Y1M1W1DT1H1M1S', 'x')), (365 + 30 + 7 + 1) * day + 3661);
  });
});

describe('addDuration', () => {
  it('adds calendar months and years, clamping to the last day of the month', () => {
    assert.equal(addDuration(at('2024-01-31T10:00:00Z'), parseDuration('P1M', 'x')), at('2024-02-29T10:00:00Z'));
    assert.equal(addDuration(at('2023-01-31T10:00:00Z'), parseDuration('P1M', 'x')), at('2023-02-28T10:00:00Z'));
    assert.equal(addDuration(at('2024-02-29T00:00:00Z'), parseDuration('P1Y', 'x')), at('2025-02-28T00:00:00Z'));
    assert.equal(addDuration(at('2024-11-15T08:30:15Z'), parseDuration('P3M', 'x')), at('2025-02-15T08:30:15Z'));
    assert.equal(addDuration(at('2024-06-01T00:00:00Z'), parseDuration('P18M', 'x')), at('2025-12-01T00:00:00Z'));
  });

  it('adds days, weeks and time exactly, after the months', () => {
    assert.equal(addDuration(at('2024-01-31T00:00:00Z'), parseDuration('P1M1D', 'x')), at('2024-03-01T00:00:00Z'));
    assert.equal(addDuration(at('2024-03-01T00:00:00Z'), parseDuration('P2WT36H', 'x')), at('2024-03-16T12:00:00Z'));
    assert.equal(addDuration(at('2024-01-01T00:00:00Z'), parseDuration('P1Y10D', 'x')), at('2025-01-11T00:00:00Z'));
  });

  it('moves back for triggers before expiry', () => {
    assert.equal(addDuration(at('2024-03-31T12:00:00Z'), parseDuration('P1M', 'x'), -1), at('2024-02-29T12:00:00Z'));
    assert.equal(addDuration(at('2025-01-10T00:00:00Z'), parseDuration('P30D', 'x'), -1), at('2024-12-11T00:00:00Z'));
    assert.equal(addDuration(at('2025-01-01T00:00:00Z'), parseDuration('P1Y', 'x'), -1), at('2024-01-01T00:00:00Z'));
  });
});

describe('parseRotationPolicy', () => {
  it('accepts the policy of Azure documentation, echoing action types in Azure casing', () => {
    const rules = parseRotationPolicy({
      lifetimeActions: [rotate({ timeAfterCreate: 'P18M', timeBeforeExpiry: null }), notify('P30D')],
      attributes: { expiryTime: 'P2Y' },
    });
    assert.deepEqual(rules, {
      lifetimeActions: [
        { type: 'Rotate', trigger: { timeAfterCreate: 'P18M' } },
        { type: 'Notify', trigger: { timeBeforeExpiry: 'P30D' } },
      ],
      expiryTime: 'P2Y',
    });
  });

  it('compares action types case-insensitively', () => {
    const rules = parseRotationPolicy({ lifetimeActions: [rotate({ timeAfterCreate: 'P90D' }, 'rotate'), notify('P30D', 'NOTIFY')], attributes: { expiryTime: 'P2Y' } });
    assert.deepEqual(rules.lifetimeActions.map((action) => action.type), ['Rotate', 'Notify']);
  });

  it('keeps a Notify action on every policy, as Azure answers', () => {
    // Recorded Azure: PUT with only Rotate answers with Rotate and Notify P30D.
    assert.deepEqual(parseRotationPolicy({ lifetimeActions: [rotate({ timeBeforeExpiry: 'P30D' })], attributes: { expiryTime: 'P90D' } }).lifetimeActions, [
      { type: 'Rotate', trigger: { timeBeforeExpiry: 'P30D' } },
      { type: 'Notify', trigger: { timeBeforeExpiry: 'P30D' } },
    ]);
    // An empty list restores the default actions (the SDKs document this); so does leaving the member out.
    const defaults = [{ type: 'Notify', trigger: { timeBeforeExpiry: 'P30D' } }];
    assert.deepEqual(parseRotationPolicy({ lifetimeActions: [] }), { lifetimeActions: defaults, expiryTime: null });
    assert.deepEqual(parseRotationPolicy({ attributes: {} }), { lifetimeActions: defaults, expiryTime: null });
    assert.deepEqual(parseRotationPolicy({}), { lifetimeActions: defaults, expiryTime: null });
  });

  it('accepts a Rotate after creation without expiryTime, and a configured Notify', () => {
    assert.deepEqual(parseRotationPolicy({ lifetimeActions: [rotate({ timeAfterCreate: 'P2M' })], attributes: {} }).expiryTime, null);
    const rules = parseRotationPolicy({ lifetimeActions: [notify('P60D')], attributes: { expiryTime: 'P90D' } });
    assert.deepEqual(rules.lifetimeActions, [{ type: 'Notify', trigger: { timeBeforeExpiry: 'P60D' } }]);
  });

  it('ignores read-only and unknown members', () => {
    const rules = parseRotationPolicy({
      id: 'https://elsewhere/keys/x/rotationpolicy',
      lifetimeActions: [rotate({ timeAfterCreate: 'P90D' })],
      attributes: { expiryTime: 'P1Y', created: 1, updated: 2, extra: true },
      other: 'x',
    });
    assert.equal(rules.expiryTime, 'P1Y');
  });

  it('treats null and empty-string triggers as absent, as Azure samples send them', () => {
    assert.deepEqual(parseRotationPolicy({ lifetimeActions: [rotate({ timeAfterCreate: 'P90D', timeBeforeExpiry: '' })] }).lifetimeActions[0], {
      type: 'Rotate',
      trigger: { timeAfterCreate: 'P90D' },
    });
  });

  it('refuses bodies of the wrong shape', () => {
    refused(null, /must be a JSON object/);
    refused([], /must be a JSON object/);
    refused({ lifetimeActions: {} }, /lifetimeActions must be an array/);
    refused({ lifetimeActions: ['x'] }, /lifetimeActions\[0\] must be a JSON object/);
    refused({ lifetimeActions: [{ trigger: { timeAfterCreate: 'P90D' } }] }, /lifetimeActions\[0\]\.action must be a JSON object/);
    refused({ lifetimeActions: [{ action: { type: 'Rotate' } }] }, /lifetimeActions\[0\]\.trigger must be a JSON object/);
    refused({ attributes: 'P90D' }, /attributes must be a JSON object/);
    refused({ attributes: { expiryTime: 90 } }, /attributes\.expiryTime must be an ISO 8601 duration string/);
    refused({ lifetimeActions: [rotate({ timeAfterCreate: 90 })] }, /timeAfterCreate must be an ISO 8601 duration string/);
  });

  it('refuses unknown action types', () => {
    refused({ lifetimeActions: [rotate({ timeAfterCreate: 'P90D' }, 'Renew')] }, /'Renew' is not a lifetime action type; use Rotate or Notify/);
    refused({ lifetimeActions: [rotate({ timeAfterCreate: 'P90D' }, 'constructor')] }, /'constructor' is not a lifetime action type/);
    refused({ lifetimeActions: [{ trigger: { timeAfterCreate: 'P90D' }, action: {} }] }, /is missing or is not a lifetime action type/);
  });

  it('allows at most one Rotate and one Notify', () => {
    refused({ lifetimeActions: [rotate({ timeAfterCreate: 'P90D' }), notify('P30D'), notify('P10D')] }, /has 3 items; a policy has at most two/);
    refused({ lifetimeActions: [rotate({ timeAfterCreate: 'P90D' }), rotate({ timeAfterCreate: 'P60D' }, 'ROTATE')] }, /more than one Rotate action/);
    refused({ lifetimeActions: [notify('P30D'), notify('P10D')] }, /more than one Notify action/);
  });

  it('gives Notify only a time before expiry', () => {
    refused({ lifetimeActions: [{ trigger: { timeAfterCreate: 'P30D' }, action: { type: 'Notify' } }] }, /Notify action takes only timeBeforeExpiry/);
    refused({ lifetimeActions: [{ trigger: {}, action: { type: 'Notify' } }] }, /Notify action needs trigger\.timeBeforeExpiry/);
    refused({ lifetimeActions: [notify('P0D')] }, /must be longer than zero/);
    refused({ lifetimeActions: [notify('30 days')] }, /'30 days' is not an ISO 8601 duration/);
  });

  it('gives Rotate exactly one trigger', () => {
    refused({ lifetimeActions: [rotate({})] }, /exactly one of trigger\.timeAfterCreate and trigger\.timeBeforeExpiry/);
    refused({ lifetimeActions: [rotate({ timeAfterCreate: 'P90D', timeBeforeExpiry: 'P30D' })], attributes: { expiryTime: 'P1Y' } }, /exactly one/);
  });

  it('requires expiryTime of at least 28 days', () => {
    refused({ attributes: { expiryTime: 'P27D' } }, /'P27D' is too short: .* at least 28 days/);
    refused({ attributes: { expiryTime: 'PT48H' } }, /too short/);
    assert.equal(parseRotationPolicy({ attributes: { expiryTime: 'P28D' } }).expiryTime, 'P28D');
    assert.equal(parseRotationPolicy({ attributes: { expiryTime: 'P4W' } }).expiryTime, 'P4W');
    assert.equal(parseRotationPolicy({ attributes: { expiryTime: 'P1M' } }).expiryTime, 'P1M');
  });

  it('rotates 7 days after creation at the earliest and 7 days before expiry at the latest', () => {
    refused({ lifetimeActions: [rotate({ timeAfterCreate: 'P6D' })] }, /'P6D' is too short: a key can rotate 7 days \(P7D\) after creation at the earliest/);
    refused({ lifetimeActions: [rotate({ timeAfterCreate: 'PT167H' })] }, /too short/);
    assert.equal(parseRotationPolicy({ lifetimeActions: [rotate({ timeAfterCreate: 'P7D' })] }).lifetimeActions.length, 2);
    refused({ lifetimeActions: [rotate({ timeAfterCreate: 'P60D' })], attributes: { expiryTime: 'P2M' } }, /'P60D' is too long for attributes\.expiryTime 'P2M'/);
    assert.ok(parseRotationPolicy({ lifetimeActions: [rotate({ timeAfterCreate: 'P53D' })], attributes: { expiryTime: 'P2M' } }));

    refused({ lifetimeActions: [rotate({ timeBeforeExpiry: 'P6D' })], attributes: { expiryTime: 'P90D' } }, /'P6D' is too short: a key must rotate at least 7 days/);
    refused({ lifetimeActions: [rotate({ timeBeforeExpiry: 'P25D' })], attributes: { expiryTime: 'P28D' } }, /too long for attributes\.expiryTime 'P28D'/);
    assert.ok(parseRotationPolicy({ lifetimeActions: [rotate({ timeBeforeExpiry: 'P21D' })], attributes: { expiryTime: 'P28D' } }));
  });

  it('needs expiryTime on the policy to rotate before expiry', () => {
    refused({ lifetimeActions: [rotate({ timeBeforeExpiry: 'P30D' })] }, /timeBeforeExpiry needs attributes\.expiryTime on the policy/);
  });
});

describe('dueTimes', () => {
  const created = at('2024-01-31T09:00:00Z');
  const expires = at('2024-12-31T09:00:00Z');

  it('rotates after creation on the calendar', () => {
    const rules = parseRotationPolicy({ lifetimeActions: [rotate({ timeAfterCreate: 'P1M' })] });
    assert.deepEqual(dueTimes({ createdAt: created, expires: null }, rules), { rotateAt: at('2024-02-29T09:00:00Z'), notifyAt: null });
    assert.deepEqual(dueTimes({ createdAt: created, expires }, rules), { rotateAt: at('2024-02-29T09:00:00Z'), notifyAt: at('2024-12-01T09:00:00Z') });
  });

  it('rotates and notifies before expiry only when the version expires', () => {
    const rules = parseRotationPolicy({ lifetimeActions: [rotate({ timeBeforeExpiry: 'P2M' }), notify('P10D')], attributes: { expiryTime: 'P1Y' } });
    assert.deepEqual(dueTimes({ createdAt: created, expires }, rules), { rotateAt: at('2024-10-31T09:00:00Z'), notifyAt: at('2024-12-21T09:00:00Z') });
    assert.deepEqual(dueTimes({ createdAt: created, expires: null }, rules), { rotateAt: null, notifyAt: null });
  });

  it('never rotates under the default policy', () => {
    assert.deepEqual(dueTimes({ createdAt: created, expires }, defaultRotationPolicy()), { rotateAt: null, notifyAt: at('2024-12-01T09:00:00Z') });
  });
});

describe('rotatedExpiry', () => {
  it('is now plus expiryTime, or none', () => {
    const now = at('2024-05-31T00:00:00Z');
    assert.equal(rotatedExpiry(now, parseRotationPolicy({ attributes: { expiryTime: 'P3M' } })), at('2024-08-31T00:00:00Z'));
    assert.equal(rotatedExpiry(now, parseRotationPolicy({ attributes: { expiryTime: 'P1M' } })), at('2024-06-30T00:00:00Z'));
    assert.equal(rotatedExpiry(now, defaultRotationPolicy()), null);
  });
});

describe('toWirePolicy', () => {
  it('answers the default policy as Azure does', () => {
    assert.deepEqual(toWirePolicy('https://v.vault.localhost:8443', 'Key01', defaultRotationPolicy()), {
      id: 'https://v.vault.localhost:8443/keys/Key01/rotationpolicy',
      lifetimeActions: [{ trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'Notify' } }],
      attributes: {},
    });
  });

  it('answers a set policy with its times, in the member order Azure uses', () => {
    const rules = parseRotationPolicy({ lifetimeActions: [rotate({ timeAfterCreate: 'P90D' }, 'rotate'), notify('P30D', 'notify')], attributes: { expiryTime: 'P2Y' } });
    const wire = toWirePolicy('https://v.vault.localhost', 'k', { ...rules, created: 1482188947, updated: 1482188948 });
    assert.equal(
      JSON.stringify(wire),
      JSON.stringify({
        id: 'https://v.vault.localhost/keys/k/rotationpolicy',
        lifetimeActions: [
          { trigger: { timeAfterCreate: 'P90D' }, action: { type: 'Rotate' } },
          { trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'Notify' } },
        ],
        attributes: { expiryTime: 'P2Y', created: 1482188947, updated: 1482188948 },
      }),
    );
  });
});
