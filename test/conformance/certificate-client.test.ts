// CertificateClient (@azure/keyvault-certificates) against a real Coffer: the create poller with a self-signed
// policy, the linked key and secret, CSR → merge for an `Unknown` issuer signed by a test CA, PFX and PEM import.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WellKnownIssuer, type CertificateClient, type CertificatePolicy } from '@azure/keyvault-certificates';
import { Pkcs10CertificateRequest } from '@peculiar/x509';
import type { KeyClient } from '@azure/keyvault-keys';
import type { SecretClient } from '@azure/keyvault-secrets';
import { createCaCertificate, issueByCa, issueSelfSigned } from '../../src/domain/certificates/x509.js';
import { toPem, toPkcs12 } from '../../src/domain/certificates/containers.js';
import { generateKeyMaterial } from '../../src/domain/keys/jwk.js';
import { startServer, uniqueName, type TestServer } from '../support/start-server.js';
import { collect } from '../support/waiting.js';

const VERSION_PATTERN = /^[0-9a-f]{32}$/;

describe('CertificateClient certificates', () => {
  let server: TestServer;
  let client: CertificateClient;
  let keys: KeyClient;
  let secrets: SecretClient;

  before(async () => {
    server = await startServer();
    client = server.certificateClient();
    keys = server.keyClient();
    secrets = server.secretClient();
  });
  after(() => server.dispose());

  it('creates a self-signed certificate through the poller, with its key and secret of the same version', async () => {
    const name = uniqueName('c');
    const poller = await client.beginCreateCertificate(name, {
      issuerName: WellKnownIssuer.Self,
      subject: 'CN=app.example.test, O=Coffer Tests',
      subjectAlternativeNames: { dnsNames: ['app.example.test', 'www.example.test'] },
      validityInMonths: 12,
    }, { intervalInMs: 50 } as any);
    const created = await poller.pollUntilDone();
    assert.match(created.properties.version ?? '', VERSION_PATTERN);
    const cert = new X509Certificate(Buffer.from(created.cer!));
    assert.match(cert.subject, /CN=app\.example\.test/);
    assert.match(cert.subjectAltName ?? '', /DNS:www\.example\.test/);
    assert.ok(cert.verify(cert.publicKey), 'self-signed');
    assert.equal(created.keyId, `${server.vaultUrl()}/keys/${name}/${created.properties.version}`);
    assert.equal(created.secretId, `${server.vaultUrl()}/secrets/${name}/${created.properties.version}`);

    const key = await keys.getKey(name);
    assert.equal(key.properties.version, created.properties.version);
    assert.equal(key.properties.managed, true);
    const secret = await secrets.getSecret(name);
    assert.equal(secret.properties.contentType, 'application/x-pkcs12');
    assert.equal(secret.properties.managed, true);
    // The secret is the PFX of the certificate and its private key (no password, as Azure exports it).
    const pfxCert = await import('node:tls').then((tls) => tls.createSecureContext({ pfx: Buffer.from(secret.value!, 'base64'), passphrase: '' }));
    assert.ok(pfxCert);

    // The keys and secrets APIs cannot change what the certificate manages.
    await assert.rejects(secrets.setSecret(name, 'overwrite'), (error: any) => error.statusCode === 403);
    await assert.rejects(keys.updateKeyProperties(name, key.properties.version!, { enabled: false }), (error: any) => error.statusCode === 403);

    const fetched = await client.getCertificate(name);
    assert.equal(fetched.properties.x509Thumbprint?.length, 20);
    assert.equal(fetched.policy?.subject, 'CN=app.example.test, O=Coffer Tests');
  });

  it('holds a CSR for an Unknown issuer until the certificate signed elsewhere is merged; a foreign one is refused', async () => {
    const name = uniqueName('c');
    const poller = await client.beginCreateCertificate(name, { issuerName: 'Unknown', subject: 'CN=merged.example.test' });
    const operation = await client.getCertificateOperation(name);
    const pending = operation.getOperationState().certificateOperation!;
    assert.equal(pending.status, 'inProgress');
    assert.ok(pending.csr && pending.csr.length > 100);
    poller.stopPolling();

    const caMaterial = await generateKeyMaterial({ kty: 'EC', crv: 'P-256' });
    const notBefore = new Date(Date.now() - 60_000);
    const caDer = await createCaCertificate({ material: caMaterial, subject: 'CN=Coffer Test CA', validityMonths: 12, notBefore });
    const csr = new Pkcs10CertificateRequest(Buffer.from(pending.csr!));
    const subjectPublicKey = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
    const leaf = await issueByCa({ ca: { certDer: caDer, material: caMaterial }, subjectPublicKey, subject: 'CN=merged.example.test', validityMonths: 6, notBefore });

    // A certificate for another key is refused, and the operation stays pending.
    const otherKey = await generateKeyMaterial({ kty: 'RSA', size: 2048 });
    const foreign = await issueSelfSigned({ material: otherKey, subject: 'CN=merged.example.test', validityMonths: 6, notBefore });
    await assert.rejects(client.mergeCertificate(name, [foreign]), (error: any) => error.statusCode === 400);

    const merged = await client.mergeCertificate(name, [leaf, caDer]);
    assert.equal(new X509Certificate(Buffer.from(merged.cer!)).issuer, 'CN=Coffer Test CA');
    const completed = await client.getCertificateOperation(name);
    assert.equal(completed.getOperationState().certificateOperation?.status, 'completed');
    // The secret carries the chain: leaf and CA, verifiable against the CA.
    const pem = (await secrets.getSecret(name)).value!;
    assert.ok(pem.length > 0);
  });

  it('imports a PFX with a password and a PEM, and refuses a wrong password without storing anything', async () => {
    const material = await generateKeyMaterial({ kty: 'RSA', size: 2048 });
    const certDer = await issueSelfSigned({ material, subject: 'CN=imported.example.test', validityMonths: 3, notBefore: new Date(Date.now() - 60_000) });
    const pfx = await toPkcs12({ material, certDer, chainDers: [], password: 'p@ss' });

    const name = uniqueName('i');
    await assert.rejects(client.importCertificate(name, pfx, { password: 'wrong' }), (error: any) => error.statusCode === 400);
    await assert.rejects(client.getCertificate(name), (error: any) => error.statusCode === 404);
    const imported = await client.importCertificate(name, pfx, { password: 'p@ss' });
    assert.deepEqual(Buffer.from(imported.cer!), certDer);

    const pemName = uniqueName('p');
    const pem = toPem({ material, certDer, chainDers: [] });
    const token = await server.adminToken();
    const response = await server.request('POST', `${server.vaultUrl()}/certificates/${pemName}/import?api-version=7.5`, {
      token,
      body: { value: pem, policy: { secret_props: { contentType: 'application/x-pem-file' } } },
    });
    assert.equal(response.status, 200, response.text);
    const secret = await secrets.getSecret(pemName);
    assert.equal(secret.properties.contentType, 'application/x-pem-file');
    assert.match(secret.value!, /-----BEGIN PRIVATE KEY-----/);
    assert.equal(createPrivateKey(secret.value!).asymmetricKeyType, 'rsa');
  });

  it('deletes with its key and secret, recovers them together, and purges all three', async () => {
    const name = uniqueName('d');
    await (await client.beginCreateCertificate(name, { issuerName: 'Self', subject: 'CN=deleted.example.test' }, { intervalInMs: 50 } as any)).pollUntilDone();
    await assert.rejects(keys.beginDeleteKey(name), (error: any) => error.statusCode === 403);

    const deleted = await (await client.beginDeleteCertificate(name, { intervalInMs: 50 } as any)).pollUntilDone();
    assert.equal(deleted.recoveryId, `${server.vaultUrl()}/deletedcertificates/${name}`);
    await assert.rejects(keys.getKey(name), (error: any) => error.statusCode === 404);
    await assert.rejects(secrets.getSecret(name), (error: any) => error.statusCode === 404);
    const listed = [];
    for await (const item of client.listDeletedCertificates()) listed.push(item.name);
    assert.ok(listed.includes(name));

    await (await client.beginRecoverDeletedCertificate(name, { intervalInMs: 50 } as any)).pollUntilDone();
    assert.equal((await keys.getKey(name)).properties.managed, true);
    assert.ok((await secrets.getSecret(name)).value);

    await (await client.beginDeleteCertificate(name, { intervalInMs: 50 } as any)).pollUntilDone();
    await client.purgeDeletedCertificate(name);
    await assert.rejects(client.getDeletedCertificate(name), (error: any) => error.statusCode === 404);
    await assert.rejects(keys.getDeletedKey(name), (error: any) => error.statusCode === 404);
    await assert.rejects(secrets.getDeletedSecret(name), (error: any) => error.statusCode === 404);
  });

  it('issues through the built-in CA (an issuer with provider Coffer), whose root is downloadable and verifies the chain', async () => {
    await client.createIssuer('local-ca', 'Coffer');
    const name = uniqueName('ca');
    const created = await (await client.beginCreateCertificate(name, { issuerName: 'local-ca', subject: 'CN=service.example.test' }, { intervalInMs: 50 } as any)).pollUntilDone();
    const leaf = new X509Certificate(Buffer.from(created.cer!));
    const token = await server.adminToken();
    const response = await server.request('GET', `${server.vaultUrl()}/_coffer/certificate-authority?api-version=7.5`, { token });
    assert.equal(response.status, 200, response.text);
    const root = new X509Certificate(response.json.pem as string);
    assert.equal(leaf.issuer, root.subject);
    assert.ok(leaf.checkIssued(root) && leaf.verify(root.publicKey), 'the leaf is signed by the downloadable root');
    // The certificate's secret (PFX) carries the chain up to the CA.
    const pfx = Buffer.from((await secrets.getSecret(name)).value!, 'base64');
    const { fromPkcs12 } = await import('../../src/domain/certificates/containers.js');
    const bundle = await fromPkcs12(pfx);
    assert.equal(bundle.chainDers.length, 1);
    assert.ok(new X509Certificate(bundle.chainDers[0]!).verify(root.publicKey));

    // A partner provider this server cannot reach is refused up front.
    await client.createIssuer('partner', 'DigiCert', { accountId: 'acct', password: 'pw' } as any);
    await assert.rejects(client.beginCreateCertificate(uniqueName('p'), { issuerName: 'partner', subject: 'CN=x' }), (error: any) => error.statusCode === 400);
  });

  it('backs up and restores a certificate with its key, secret and policy, into another vault too', async () => {
    const name = uniqueName('b');
    const created = await (await client.beginCreateCertificate(name, { issuerName: 'Self', subject: 'CN=backup.example.test', contentType: 'application/x-pem-file' }, { intervalInMs: 50 } as any)).pollUntilDone();
    const secretBefore = (await secrets.getSecret(name)).value;
    const backup = await client.backupCertificate(name);
    assert.ok(backup && backup.length > 0);
    await assert.rejects(client.restoreCertificateBackup(backup!), (error: any) => error.statusCode === 409);

    await server.cli('vault', 'create', 'restored');
    const other = server.certificateClient({ vault: 'restored' });
    const restored = await other.restoreCertificateBackup(backup!);
    assert.equal(restored.properties.version, created.properties.version);
    assert.deepEqual(Buffer.from(restored.cer!), Buffer.from(created.cer!));
    assert.equal((await other.getCertificatePolicy(name)).contentType, 'application/x-pem-file');
    assert.equal((await server.secretClient({ vault: 'restored' }).getSecret(name)).value, secretBefore);
    assert.equal((await server.keyClient({ vault: 'restored' }).getKey(name)).properties.managed, true);

    const tampered = Buffer.from(backup!);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 5) ^ 1, tampered.length - 5);
    await assert.rejects(other.restoreCertificateBackup(tampered), (error: any) => error.statusCode === 400);
  });

  it('reads and updates the policy and a version\'s properties (carried to its key and secret)', async () => {
    const name = uniqueName('u');
    const created = await (await client.beginCreateCertificate(name, { issuerName: 'Self', subject: 'CN=update.example.test', validityInMonths: 6 }, { intervalInMs: 50 } as any)).pollUntilDone();
    const policy = await client.getCertificatePolicy(name);
    assert.equal(policy.validityInMonths, 6);
    assert.equal(policy.issuerName, 'Self');
    // SDK 4.10.3 returns an empty policy from updateCertificatePolicy (it never reads the response), so read it back.
    await client.updateCertificatePolicy(name, { ...policy, validityInMonths: 24, subject: 'CN=next.example.test' });
    const updated = await client.getCertificatePolicy(name);
    assert.equal(updated.validityInMonths, 24);
    assert.equal(updated.subject, 'CN=next.example.test');
    await assert.rejects(
      client.updateCertificatePolicy(name, { ...policy, lifetimeActions: [{ action: 'AutoRenew', lifetimePercentage: 150 }] } as any),
      (error: any) => error.statusCode === 400,
    );
    assert.equal((await client.getCertificatePolicy(name)).validityInMonths, 24, 'a refused update changes nothing');

    const props = await client.updateCertificateProperties(name, created.properties.version!, { enabled: false, tags: { env: 'test' } });
    assert.equal(props.properties.enabled, false);
    assert.deepEqual(props.properties.tags, { env: 'test' });
    assert.equal((await keys.getKey(name)).properties.enabled, false);
    await assert.rejects(secrets.getSecret(name), (error: any) => error.statusCode === 403, 'a disabled secret is not served');
  });

  it('lists a certificate whose first version is pending only with includePending, in name order across pages', async () => {
    const prefix = uniqueName('lp');
    const issued = `${prefix}-b`;
    await (await client.beginCreateCertificate(issued, { issuerName: 'Self', subject: 'CN=issued.example.test' }, { intervalInMs: 50 } as any)).pollUntilDone();
    for (const pending of [`${prefix}-a`, `${prefix}-c`]) {
      (await client.beginCreateCertificate(pending, { issuerName: 'Unknown', subject: 'CN=pending.example.test' })).stopPolling();
    }
    const ours = (items: { name?: string }[]) => items.map((item) => item.name).filter((name) => name?.startsWith(prefix));

    assert.deepEqual(ours(await collect(client.listPropertiesOfCertificates())), [issued]);
    const withPending = (await collect(client.listPropertiesOfCertificates({ includePending: true }))).filter((item) => item.name?.startsWith(prefix));
    assert.deepEqual(withPending.map((item) => item.name), [`${prefix}-a`, issued, `${prefix}-c`]);
    const pendingItem = withPending[0]!;
    assert.equal(pendingItem.enabled, false, 'a pending version is not enabled');
    assert.equal(pendingItem.x509Thumbprint, undefined, 'nor has it a thumbprint');
    assert.ok(withPending[1]!.x509Thumbprint, 'the issued one has');

    // One item a page: the next link keeps includePending, and the merge of issued and pending stays in order.
    const token = await server.adminToken();
    const names: string[] = [];
    let url: string | null = `${server.vaultUrl()}/certificates?api-version=2025-07-01&maxresults=1&includePending=true`;
    while (url) {
      const page: any = await server.request('GET', url, { token });
      assert.equal(page.status, 200, page.text);
      names.push(...page.json.value.map((item: any) => String(item.id).split('/').pop()));
      url = page.json.nextLink;
    }
    assert.deepEqual(names.filter((name) => name.startsWith(prefix)), [`${prefix}-a`, issued, `${prefix}-c`]);
    const refused = await server.request('GET', `${server.vaultUrl()}/certificates?api-version=2025-07-01&includePending=maybe`, { token });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error.code, 'BadParameter');
  });

  it('reads a PFX certificate secret as PEM with outContentType, names the previous version, and refuses PEM to PFX', async () => {
    const name = uniqueName('o');
    const policy: CertificatePolicy = {
      issuerName: 'Self',
      subject: 'CN=convert.example.test',
      subjectAlternativeNames: { uniformResourceIdentifiers: ['spiffe://example.test/app'], ipAddresses: ['192.0.2.7', '2001:db8::7'] },
    };
    const first = await (await client.beginCreateCertificate(name, policy, { intervalInMs: 50 } as any)).pollUntilDone();
    const cert = new X509Certificate(Buffer.from(first.cer!));
    assert.match(cert.subjectAltName ?? '', /URI:spiffe:\/\/example\.test\/app/);
    assert.match(cert.subjectAltName ?? '', /IP Address:192\.0\.2\.7/);
    assert.equal((await secrets.getSecret(name)).properties.previousVersion, undefined, 'the first version follows none');

    const asPem = await secrets.getSecret(name, { outContentType: 'application/x-pem-file' });
    assert.equal(asPem.properties.contentType, 'application/x-pem-file');
    assert.equal(createPrivateKey(asPem.value!).asymmetricKeyType, 'rsa');
    assert.deepEqual(new X509Certificate(asPem.value!).raw, cert.raw);
    assert.equal((await secrets.getSecret(name, { outContentType: 'application/x-pkcs12' })).properties.contentType, 'application/x-pkcs12');

    const second = await (await client.beginCreateCertificate(name, policy, { intervalInMs: 50 } as any)).pollUntilDone();
    const latest = await secrets.getSecret(name);
    assert.equal(latest.properties.version, second.properties.version);
    assert.equal(latest.properties.previousVersion, first.properties.version);

    const pemName = uniqueName('o');
    await (await client.beginCreateCertificate(pemName, { issuerName: 'Self', subject: 'CN=pem.example.test', contentType: 'application/x-pem-file' }, { intervalInMs: 50 } as any)).pollUntilDone();
    await assert.rejects(secrets.getSecret(pemName, { outContentType: 'application/x-pkcs12' }), (error: any) => error.statusCode === 400 && error.code === 'BadParameter');
    const token = await server.adminToken();
    const bogus = await server.request('GET', `${server.vaultUrl()}/secrets/${name}?api-version=2025-07-01&outContentType=text/plain`, { token });
    assert.equal(bogus.status, 400);
    // A secret that is not a certificate's is returned as stored.
    await secrets.setSecret(`${name}-plain`, 'plain value', { contentType: 'text/plain' });
    const plain = await secrets.getSecret(`${name}-plain`, { outContentType: 'application/x-pem-file' });
    assert.deepEqual([plain.value, plain.properties.contentType], ['plain value', 'text/plain']);
  });

  it('keeps a certificate\'s private key sealed: no data-dir file holds it in clear', async () => {
    const name = uniqueName('s');
    await (await client.beginCreateCertificate(name, { issuerName: 'Self', subject: 'CN=sealed.example.test', contentType: 'application/x-pem-file' }, { intervalInMs: 50 } as any)).pollUntilDone();
    const pem = (await secrets.getSecret(name)).value!;
    const privateKey = createPrivateKey(pem);
    const jwk = privateKey.export({ format: 'jwk' });
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const { encodings, filesUnder } = await import('../support/scan-files.js');
    const needles = [...encodings(Buffer.from(jwk.d!, 'base64url')), ...encodings(der.subarray(der.length - 64))];
    for (const { file, bytes } of await filesUnder(server.dataDir)) {
      for (const { how, needle } of needles) assert.equal(bytes.indexOf(needle), -1, `${file} holds private key bytes (${how})`);
    }
  });
});
