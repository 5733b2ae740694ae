import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Clock } from '../../clock.js';
import { createEnvelope } from '../../crypto/envelope.js';
import { createRenewCertificatesJob } from '../../scheduler/renew-certificates.js';
import { createCertificateIssuerStore } from '../../store/certificate-issuers.js';
import { createCertificateStore, type CertificateStore } from '../../store/certificates.js';
import { createEventOutbox, type EventOutbox } from '../../store/event-outbox.js';
import { createObjectStore } from '../../store/objects.js';
import type { Db } from '../../store/open.js';
import { createVaultStore } from '../../store/vaults.js';
import { generateKeyMaterial } from '../keys/jwk.js';
import { createSoftwareKeyProvider } from '../keys/key-provider.js';
import type { Vault } from '../vaults/vault.js';
import { createVaultService, type VaultService } from '../vaults/vault-service.js';
import { CERTIFICATE_NEAR_EXPIRY, createCertificateRenewal, triggerTime, type CertificateRenewal, type RenewalRunResult } from './certificate-renewal.js';
import { createCertificateService, type CertificateService } from './certificate-service.js';
import { toPem } from './containers.js';
import { createCertificateIssuerService } from './issuers.js';
import { issueSelfSigned } from './x509.js';
import { closeTestStore, openTestStore } from '../../store/test-store.js';

const day = 86_400;

function fakeClock(ms: number): Clock & { setSeconds(seconds: number): void; seconds(): number } {
  let now = ms;
  return { nowMs: () => now, setSeconds: (seconds) => (now = seconds * 1000), seconds: () => Math.floor(now / 1000) };
}

let db: Db;
let clock: ReturnType<typeof fakeClock>;
let vaults: VaultService;
let vault: Vault;
let store: CertificateStore;
let events: EventOutbox;
let certificates: CertificateService;
let renewal: CertificateRenewal;
let renewCertificates: () => Promise<RenewalRunResult>;
/** CreateCertificate's background issuance, held until the test lets it run. */
let background: Array<() => Promise<void>>;
let warnings: string[];

async function runBackground(): Promise<void> {
  const work = background;
  background = [];
  for (const item of work) await item();
}

function renewalWith(service: Pick<CertificateService, 'createCertificate'>): CertificateRenewal {
  return createCertificateRenewal({
    certificates: service,
    store,
    objects: createObjectStore(db),
    events,
    vaults: createVaultStore(db),
    vaultUrl: (v) => `https://${v.name}.vault.localhost:8443`,
    clock,
    logger: { warn: ((_fields: unknown, message: string) => warnings.push(message)) as never },
  });
}

beforeEach(async () => {
  db = await openTestStore();
  // Not on a second boundary, so a rounding mistake shows.
  clock = fakeClock(Date.UTC(2026, 0, 10, 9, 15, 0, 250));
  const envelope = createEnvelope({ masterKey: randomBytes(32) });
  vaults = createVaultService({ vaults: createVaultStore(db), envelope, clock, defaultRetentionDays: 7, subscriptionId: '00000000-0000-0000-0000-000000000000' });
  vault = await vaults.createVault({ name: 'renew' });
  store = createCertificateStore(db);
  events = createEventOutbox(db);
  background = [];
  warnings = [];
  // Key generation and X.509 signing use node:crypto directly; no key operation runs on the pool here.
  const pool = { run: () => Promise.reject(new Error('no key operations in these tests')) };
  certificates = createCertificateService({
    objects: createObjectStore(db),
    store,
    envelope,
    clock,
    keyProvider: createSoftwareKeyProvider({ pool }),
    issuers: createCertificateIssuerService({ store: createCertificateIssuerStore(db), envelope, clock }),
    runLater: (work) => void background.push(work),
  });
  renewal = renewalWith(certificates);
  renewCertificates = createRenewCertificatesJob({ renewal });
});

afterEach(() => closeTestStore(db));

function policy(lifetimeActions: unknown, extra: Record<string, unknown> = {}) {
  return {
    issuer: { name: 'Self' },
    key_props: { kty: 'EC', crv: 'P-256' },
    x509_props: { subject: 'CN=renew.example.test', validity_months: 12 },
    ...(lifetimeActions === undefined ? {} : { lifetime_actions: lifetimeActions }),
    ...extra,
  };
}

/** Creates a certificate and lets its issuance finish; returns its first version. */
async function issued(name: string, body: { policy?: unknown; tags?: Record<string, string> }) {
  await certificates.createCertificate(vault, name, body);
  await runBackground();
  return certificates.getCertificate(vault, name, undefined);
}

async function versions(name: string) {
  return (await certificates.listCertificateVersions(vault, name, { after: undefined, limit: 25 })).items;
}

async function nearExpiryEvents() {
  return (await events.list(vault.id)).filter((event) => event.eventType === CERTIFICATE_NEAR_EXPIRY);
}

const nothingDone: RenewalRunResult = { renewed: 0, notified: 0, skipped: 0, failed: 0 };

describe('triggerTime', () => {
  const validity = { notBefore: 1_000, expires: 1_000 + 100 * day, createdAt: 1_600 };
  it('puts a lifetime percentage between not-before and expiry', () => {
    assert.equal(triggerTime({ lifetimePercentage: 80 }, validity), 1_000 + 80 * day);
    assert.equal(triggerTime({ lifetimePercentage: 1 }, { notBefore: 0, expires: 99, createdAt: 0 }), 0, 'rounded down to a whole second');
  });
  it('counts days back from expiry', () => {
    assert.equal(triggerTime({ daysBeforeExpiry: 30 }, validity), 1_000 + 70 * day);
  });
  it('has no trigger for a version that never expires', () => {
    assert.equal(triggerTime({ lifetimePercentage: 80 }, { ...validity, expires: null }), null);
  });
});

describe('certificate renewal (scheduler pass)', () => {
  it('AutoRenew at 80% of the lifetime creates exactly one new version from the stored policy', async () => {
    // Azure's default for a Self policy: one AutoRenew at 80% lifetime.
    const first = await issued('web', { policy: policy(undefined), tags: { team: 'a' } });
    assert.deepEqual(first.policy.lifetimeActions, [{ action: 'AutoRenew', trigger: { lifetimePercentage: 80 } }]);
    const due = triggerTime({ lifetimePercentage: 80 }, first.version)!;

    assert.deepEqual(await renewCertificates(), nothingDone);
    clock.setSeconds(due - 1);
    assert.deepEqual(await renewCertificates(), nothingDone, 'one second early');

    clock.setSeconds(due);
    assert.deepEqual(await renewCertificates(), { ...nothingDone, renewed: 1 });
    assert.equal(background.length, 1, 'issuance runs in the background, as for CreateCertificate');
    assert.equal((await certificates.getOperation(vault, 'web')).status, 'inProgress');
    assert.deepEqual(await renewCertificates(), nothingDone, 'a renewal under way is not started again');

    await runBackground();
    const list = await versions('web');
    assert.equal(list.length, 2);
    const renewed = await certificates.getCertificate(vault, 'web', undefined);
    assert.notEqual(renewed.version.version, first.version.version);
    assert.deepEqual(renewed.version.tags, { team: 'a' }, 'tags carry over to the renewed version');
    assert.equal(renewed.version.notBefore, due - 600, 'issued now, backdated as every issuance is');
    assert.ok(renewed.version.expires! > first.version.expires!);

    assert.deepEqual(await renewCertificates(), nothingDone, 'the new version is not due yet');
    clock.setSeconds(first.version.expires! + day);
    assert.deepEqual(await renewCertificates(), nothingDone, 'nor when the old one has expired');
    assert.equal(background.length, 0);
    assert.equal((await versions('web')).length, 2);
    assert.equal((await nearExpiryEvents()).length, 0, 'AutoRenew records no near-expiry event');
  });

  it('AutoRenew with days_before_expiry renews that many days before the expiry', async () => {
    const first = await issued('days', {
      policy: policy([{ trigger: { days_before_expiry: 30 }, action: { action_type: 'AutoRenew' } }], { x509_props: { subject: 'CN=days.example.test', validity_months: 2 } }),
    });
    clock.setSeconds(first.version.expires! - 30 * day - 1);
    assert.deepEqual(await renewCertificates(), nothingDone);
    clock.setSeconds(first.version.expires! - 30 * day);
    assert.deepEqual(await renewCertificates(), { ...nothingDone, renewed: 1 });
    await runBackground();
    assert.equal((await versions('days')).length, 2);
    assert.deepEqual(await renewCertificates(), nothingDone);
  });

  it('EmailContacts records one CertificateNearExpiry event per version, and a second pass records nothing', async () => {
    const first = await issued('Mail', { policy: policy([{ trigger: { lifetime_percentage: 90 }, action: { action_type: 'EmailContacts' } }]) });
    clock.setSeconds(triggerTime({ lifetimePercentage: 90 }, first.version)! - 1);
    assert.deepEqual(await renewCertificates(), nothingDone);
    clock.setSeconds(triggerTime({ lifetimePercentage: 90 }, first.version)!);
    assert.deepEqual(await renewCertificates(), { ...nothingDone, notified: 1 });
    assert.deepEqual(await renewCertificates(), nothingDone);
    clock.setSeconds(first.version.expires! - 1);
    assert.deepEqual(await renewCertificates(), nothingDone);

    const recorded = await nearExpiryEvents();
    assert.equal(recorded.length, 1);
    const [event] = recorded;
    assert.equal(event!.subject, 'Mail');
    assert.match(event!.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(event!.data, {
      Id: `https://renew.vault.localhost:8443/certificates/Mail/${first.version.version}`,
      VaultName: 'renew',
      ObjectType: 'Certificate',
      ObjectName: 'Mail',
      Version: first.version.version,
      NBF: first.version.notBefore,
      EXP: first.version.expires,
    });
    assert.equal((await versions('Mail')).length, 1, 'EmailContacts never renews');
    assert.equal(background.length, 0);
  });

  it('never auto-renews a certificate of the Unknown issuer: its owner gets the near-expiry event instead', async () => {
    const material = await generateKeyMaterial({ kty: 'EC', crv: 'P-256' });
    const certDer = await issueSelfSigned({ material, subject: 'CN=outside.example.test', validityMonths: 12, notBefore: new Date(clock.nowMs()) });
    await certificates.importCertificate(vault, 'outside', {
      value: toPem({ material, certDer, chainDers: [] }),
      policy: { lifetime_actions: [{ trigger: { lifetime_percentage: 50 }, action: { action_type: 'AutoRenew' } }] },
    });
    const imported = await certificates.getCertificate(vault, 'outside', undefined);
    assert.equal(imported.policy.issuer.name, 'Unknown');
    assert.deepEqual(imported.policy.lifetimeActions, [{ action: 'AutoRenew', trigger: { lifetimePercentage: 50 } }]);

    clock.setSeconds(triggerTime({ lifetimePercentage: 50 }, imported.version)!);
    assert.deepEqual(await renewCertificates(), { ...nothingDone, notified: 1 });
    assert.deepEqual(await renewCertificates(), nothingDone);
    assert.equal((await versions('outside')).length, 1);
    await assert.rejects(certificates.getOperation(vault, 'outside'), { code: 'PendingCertificateNotFound' });
    assert.equal((await nearExpiryEvents()).length, 1);
  });

  it('skips a disabled certificate until it is enabled again', async () => {
    const first = await issued('off', { policy: policy(undefined) });
    await certificates.updateCertificate(vault, 'off', undefined, { attributes: { enabled: false } });
    clock.setSeconds(triggerTime({ lifetimePercentage: 80 }, first.version)!);
    assert.deepEqual(await renewCertificates(), { ...nothingDone, skipped: 1 });
    assert.equal(background.length, 0);

    await certificates.updateCertificate(vault, 'off', undefined, { attributes: { enabled: true } });
    assert.deepEqual(await renewCertificates(), { ...nothingDone, renewed: 1 });
  });

  it('skips a deleted certificate, and renews it once it is recovered', async () => {
    const first = await issued('gone', { policy: policy([{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'EmailContacts' } }]) });
    await issued('gone-too', { policy: policy(undefined) });
    await certificates.deleteCertificate(vault, 'gone');
    await certificates.deleteCertificate(vault, 'gone-too');
    clock.setSeconds(triggerTime({ lifetimePercentage: 80 }, first.version)! + day);
    assert.deepEqual(await renewCertificates(), { ...nothingDone, skipped: 2 });
    assert.equal(background.length, 0);
    assert.equal((await nearExpiryEvents()).length, 0);

    await certificates.recoverDeletedCertificate(vault, 'gone-too');
    assert.deepEqual(await renewCertificates(), { ...nothingDone, renewed: 1, skipped: 1 });
  });

  it('skips a certificate whose first version is still pending', async () => {
    await certificates.createCertificate(vault, 'pending', { policy: policy(undefined) });
    clock.setSeconds(clock.seconds() + 400 * day);
    assert.deepEqual(await renewCertificates(), { ...nothingDone, skipped: 1 });
  });

  it('does not start again a renewal the user cancelled, and starts one for the next version', async () => {
    const first = await issued('cancel', { policy: policy(undefined) });
    clock.setSeconds(triggerTime({ lifetimePercentage: 80 }, first.version)!);
    assert.deepEqual(await renewCertificates(), { ...nothingDone, renewed: 1 });
    background = [];
    await certificates.cancelOperation(vault, 'cancel', true);
    clock.setSeconds(clock.seconds() + day);
    assert.deepEqual(await renewCertificates(), nothingDone);
    assert.equal((await versions('cancel')).length, 1);

    // The user creates the next version themselves; its own trigger then renews it.
    clock.setSeconds(clock.seconds() + 60);
    const second = await issued('cancel', {});
    assert.notEqual(second.version.version, first.version.version);
    clock.setSeconds(triggerTime({ lifetimePercentage: 80 }, second.version)!);
    assert.deepEqual(await renewCertificates(), { ...nothingDone, renewed: 1 });
  });

  it('a renewal that cannot start is logged, announced once, and retried an hour later', async () => {
    const first = await issued('broken', { policy: policy(undefined) });
    let attempts = 0;
    const failing = renewalWith({
      createCertificate: async () => {
        attempts += 1;
        throw new Error('issuer unreachable');
      },
    });
    const due = triggerTime({ lifetimePercentage: 80 }, first.version)!;
    clock.setSeconds(due);
    assert.deepEqual(await failing.runDue(), { ...nothingDone, failed: 1, notified: 1 });
    assert.deepEqual(warnings, ['certificate auto-renewal could not start; it will be retried']);
    clock.setSeconds(due + 3599);
    assert.deepEqual(await failing.runDue(), nothingDone);
    clock.setSeconds(due + 3600);
    assert.deepEqual(await failing.runDue(), { ...nothingDone, failed: 1 }, 'retried, without a second event');
    assert.equal(attempts, 2);
    assert.equal((await nearExpiryEvents()).length, 1);
  });

  it('acts across vaults and pages through every policy', async () => {
    const other = await vaults.createVault({ name: 'other' });
    const names = ['a', 'B', 'c'];
    for (const name of names) await issued(name, { policy: policy(undefined) });
    await certificates.createCertificate(other, 'a', { policy: policy(undefined) });
    await runBackground();

    const seen: string[] = [];
    let after: { vaultId: string; nameKey: string } | undefined;
    for (;;) {
      const [next] = await store.listPolicies(after, 1);
      if (!next) break;
      seen.push(`${next.vaultId === vault.id ? 'renew' : 'other'}/${next.name}`);
      after = { vaultId: next.vaultId, nameKey: next.name };
    }
    assert.deepEqual(seen.sort(), ['other/a', 'renew/a', 'renew/b', 'renew/c']);

    clock.setSeconds(clock.seconds() + 300 * day);
    assert.deepEqual(await renewCertificates(), { ...nothingDone, renewed: 4 });
  });
});
