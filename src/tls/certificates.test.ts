import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { systemClock, type Clock } from '../clock.js';
import { ensureTlsMaterial } from './certificates.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'coffer-tls-'));
  dirs.push(dir);
  return path.join(dir, 'tls');
}
after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

const dnsSuffix = 'vault.localhost';

describe('ensureTlsMaterial', () => {
  it('creates a CA and a server certificate that it issued', async () => {
    const dir = await tempDir();
    const tls = await ensureTlsMaterial({ dir, dnsSuffix, extraNames: [], clock: systemClock });
    const ca = new X509Certificate(tls.caCertPem);
    const server = new X509Certificate(tls.certPem);

    assert.equal(tls.caCertPath, path.join(dir, 'ca.pem'));
    assert.ok(path.isAbsolute(tls.caCertPath));
    assert.equal(ca.ca, true);
    assert.match(ca.subject, /CN=Coffer Local CA [0-9a-f]+/);
    assert.equal(server.ca, false);
    assert.ok(server.checkIssued(ca));
    assert.ok(server.verify(ca.publicKey));
    assert.ok(server.checkPrivateKey(createPrivateKey(tls.keyPem)));
    assert.equal(server.checkHost('localhost'), 'localhost');
    // checkHost answers with the certificate name that matched.
    assert.equal(server.checkHost('myvault.vault.localhost'), '*.vault.localhost');
    assert.equal(server.checkHost('vault.localhost'), 'vault.localhost');
    assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(server.checkIP('::1'), '::1');
    assert.equal(server.checkHost('example.com'), undefined);
    assert.deepEqual(server.keyUsage, ['1.3.6.1.5.5.7.3.1']);

    const validDays = (Date.parse(server.validTo) - Date.now()) / 86_400_000;
    assert.ok(validDays > 824 && validDays <= 825, `server certificate valid for ${validDays} days`);
    assert.match(server.serialNumber, /^[0-9A-F]{32}$/);
  });

  it('keeps private keys and the directory private', async () => {
    const dir = await tempDir();
    await ensureTlsMaterial({ dir, dnsSuffix, extraNames: [], clock: systemClock });
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    assert.equal((await stat(path.join(dir, 'ca-key.pem'))).mode & 0o777, 0o600);
    assert.equal((await stat(path.join(dir, 'server-key.pem'))).mode & 0o777, 0o600);
    assert.deepEqual((await readdir(dir)).sort(), ['ca-key.pem', 'ca.pem', 'server-key.pem', 'server.pem']);
  });

  it('reuses everything on the next start', async () => {
    const dir = await tempDir();
    const first = await ensureTlsMaterial({ dir, dnsSuffix, extraNames: ['coffer.internal', 'fd00:0:0::1'], clock: systemClock });
    const second = await ensureTlsMaterial({ dir, dnsSuffix, extraNames: ['COFFER.internal', 'fd00::1'], clock: systemClock });
    assert.deepEqual(second, first);
  });

  it('issues a new server certificate from the same CA when a name is added', async () => {
    const dir = await tempDir();
    const first = await ensureTlsMaterial({ dir, dnsSuffix, extraNames: [], clock: systemClock });
    const second = await ensureTlsMaterial({ dir, dnsSuffix, extraNames: ['coffer.example.com', '10.1.2.3', 'fd00::1'], clock: systemClock });
    assert.equal(second.caCertPem, first.caCertPem);
    assert.notEqual(second.certPem, first.certPem);
    assert.notEqual(second.keyPem, first.keyPem);
    const server = new X509Certificate(second.certPem);
    assert.ok(server.checkIssued(new X509Certificate(first.caCertPem)));
    assert.ok(server.verify(new X509Certificate(first.caCertPem).publicKey));
    assert.equal(server.checkHost('coffer.example.com'), 'coffer.example.com');
    assert.equal(server.checkIP('10.1.2.3'), '10.1.2.3');
    assert.equal(server.checkIP('fd00::1'), 'fd00::1');
    assert.equal(server.checkHost('10.1.2.3'), undefined, 'an IP is not added as a DNS name');
  });

  it('renews a server certificate that expires within 30 days', async () => {
    const dir = await tempDir();
    const first = await ensureTlsMaterial({ dir, dnsSuffix, extraNames: [], clock: systemClock });
    const later: Clock = { nowMs: () => Date.now() + 800 * 86_400_000 };
    const renewed = await ensureTlsMaterial({ dir, dnsSuffix, extraNames: [], clock: later });
    assert.equal(renewed.caCertPem, first.caCertPem);
    assert.notEqual(renewed.certPem, first.certPem);
    assert.ok(Date.parse(new X509Certificate(renewed.certPem).validTo) > Date.parse(new X509Certificate(first.certPem).validTo));
  });

  it('serves HTTPS that a client trusting only the CA accepts', async () => {
    const tls = await ensureTlsMaterial({ dir: await tempDir(), dnsSuffix, extraNames: [], clock: systemClock });
    const server = https.createServer({ cert: tls.certPem, key: tls.keyPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      for (const servername of ['localhost', 'myvault.vault.localhost']) {
        const body = await new Promise<string>((resolve, reject) => {
          // family 4: the server listens on 127.0.0.1, and 'localhost' may resolve to ::1 first.
          https
            .get(`https://localhost:${port}/`, { servername, ca: tls.caCertPem, family: 4, agent: false }, (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (chunk: string) => (text += chunk));
              res.on('end', () => resolve(text));
            })
            .on('error', reject);
        });
        assert.equal(body, 'ok');
      }
    } finally {
      server.close();
    }
  });
});
