import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { createEnvelope } from '../crypto/envelope.js';
import { createCertificateService, type CertificateService } from '../domain/certificates/certificate-service.js';
import { createCertificateIssuerService } from '../domain/certificates/issuers.js';
import { createKeyOperationPool } from '../domain/keys/key-operation-pool.js';
import { createSoftwareKeyProvider } from '../domain/keys/key-provider.js';
import type { Vault } from '../domain/vaults/vault.js';
import { createVaultService } from '../domain/vaults/vault-service.js';
import { createCertificateIssuerStore } from '../store/certificate-issuers.js';
import { createCertificateStore, type CertificateStore } from '../store/certificates.js';
import { createObjectStore } from '../store/objects.js';
import type { Db } from '../store/open.js';
import { closeTestStore, openTestStore } from '../store/test-store.js';
import { createVaultStore } from '../store/vaults.js';
import { createCompleteCertificateOperationsJob } from './complete-certificate-operations.js';

let nowMs = Date.UTC(2026, 10, 22, 12);
const clock = { nowMs: () => nowMs };
const pool = createKeyOperationPool({ threads: 1 });
after(() => pool.close());

let db: Db;
let certificates: CertificateService;
let store: CertificateStore;
let vault: Vault;
let job: () => Promise<number>;

beforeEach(async () => {
  db = await openTestStore();
  const envelope = createEnvelope({ masterKey: randomBytes(32) });
  vault = await createVaultService({ vaults: createVaultStore(db), envelope, clock, defaultRetentionDays: 90, subscriptionId: '00000000-0000-0000-0000-000000000000' }).createVault({ name: 'certs' });
  store = createCertificateStore(db);
  certificates = createCertificateService({
    objects: createObjectStore(db),
    store,
    envelope,
    clock,
    keyProvider: createSoftwareKeyProvider({ pool }),
    issuers: createCertificateIssuerService({ store: createCertificateIssuerStore(db), envelope, clock }),
    // The process that took the request "stops" before its background work runs.
    runLater: () => undefined,
  });
  job = createCompleteCertificateOperationsJob({ certificates, store, vaults: createVaultStore(db), clock });
});

afterEach(() => closeTestStore(db));

describe('completeCertificateOperations (scheduler job)', () => {
  it('finishes a Self operation a stopped server left, after a grace period, once', async () => {
    const policy = { issuer: { name: 'Self' }, x509_props: { subject: 'CN=left.example.test' }, key_props: { kty: 'EC', crv: 'P-256' } };
    await certificates.createCertificate(vault, 'left', { policy, tags: { team: 'a' } });
    assert.equal((await certificates.getOperation(vault, 'left')).status, 'inProgress');
    assert.equal(await job(), 0, 'the starting process may still be finishing it');

    nowMs += 31_000;
    assert.equal(await job(), 1);
    const operation = await certificates.getOperation(vault, 'left');
    assert.equal(operation.status, 'completed');
    assert.equal(operation.sealedKey, null, 'the pending private key is gone once issued');
    const issued = await certificates.getCertificate(vault, 'left', undefined);
    assert.equal(issued.version.version, operation.version);
    assert.deepEqual(issued.version.tags, { team: 'a' }, 'tags given to CreateCertificate survive the restart');
    assert.equal(await job(), 0);
  });

  it('leaves an Unknown operation waiting for its merge', async () => {
    await certificates.createCertificate(vault, 'csr', { policy: { issuer: { name: 'Unknown' }, x509_props: { subject: 'CN=csr.example.test' } } });
    nowMs += 3_600_000;
    assert.equal(await job(), 0);
    assert.equal((await certificates.getOperation(vault, 'csr')).status, 'inProgress');
  });
});
