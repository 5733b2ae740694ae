import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSecureContext } from 'node:tls';
import { CofferError } from '../../errors.js';
import { generateKeyMaterial, privateKeyObject, publicKeyObject, type KeyGenerationSpec } from '../keys/jwk.js';
import type { KeyMaterial } from '../keys/key-material.js';
import { IncorrectPasswordError, fromPem, fromPkcs12, toPem, toPkcs12, type CertificateBundle } from './containers.js';
import { createCaCertificate, createCsr, issueByCa, issueSelfSigned, verifyChain } from './x509.js';

// RSA-4096 is covered by x509.test.ts; generating it again here would only make the suite slower.
const KEY_CASES: { label: string; spec: KeyGenerationSpec }[] = [
  { label: 'RSA 2048', spec: { kty: 'RSA', size: 2048 } },
  { label: 'RSA 3072', spec: { kty: 'RSA', size: 3072 } },
  { label: 'EC P-256', spec: { kty: 'EC', crv: 'P-256' } },
  { label: 'EC P-256K', spec: { kty: 'EC', crv: 'P-256K' } },
  { label: 'EC P-384', spec: { kty: 'EC', crv: 'P-384' } },
  { label: 'EC P-521', spec: { kty: 'EC', crv: 'P-521' } },
];
const PASSWORD = 'correct horse battery staple';

let dir: string;
const bundles = new Map<string, CertificateBundle>();
/** A leaf issued by an intermediate CA issued by a root: chainDers is [intermediate, root]. */
let chained: CertificateBundle;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'coffer-containers-'));
  const notBefore = new Date(Date.now() - 60_000);
  const materials = await Promise.all(KEY_CASES.map((c) => generateKeyMaterial(c.spec)));
  for (const [i, keyCase] of KEY_CASES.entries()) {
    const material = materials[i]!;
    const certDer = await issueSelfSigned({ material, subject: `CN=${keyCase.label}`, sans: { dnsNames: ['example.com'] }, validityMonths: 12, notBefore });
    bundles.set(keyCase.label, { material, certDer, chainDers: [] });
  }
  const [rootKey, intermediateKey, leafKey] = [materials[2]!, materials[4]!, materials[0]!];
  const root = await createCaCertificate({ material: rootKey, subject: 'CN=Test Root', validityMonths: 24, notBefore });
  const intermediate = await issueIntermediate(intermediateKey, root, rootKey);
  const leaf = await issueByCa({ ca: { certDer: intermediate, material: intermediateKey }, subjectPublicKey: leafKey, subject: 'CN=leaf.example.com', validityMonths: 12, notBefore });
  chained = { material: leafKey, certDer: leaf, chainDers: [intermediate, root] };
  assert.equal(verifyChain(leaf, [intermediate], root), true);
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** An intermediate CA for `key`: our CSR, signed by OpenSSL with the root's key and CA extensions. */
async function issueIntermediate(key: KeyMaterial, root: Buffer, rootKey: KeyMaterial): Promise<Buffer> {
  const csr = await createCsr({ material: key, subject: 'CN=Test Intermediate' });
  const result = openssl(
    ['x509', '-req', '-inform', 'DER', '-in', 'int.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-days', '30', '-extfile', 'ca.ext', '-outform', 'DER', '-out', 'int.der'],
    {
      'int.csr': csr,
      'root.pem': pem(root),
      'root.key': keyPem(rootKey),
      'ca.ext': 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n',
    },
  );
  assert.equal(result.status, 0, result.stderr);
  return readFileSync(path.join(dir, 'int.der'));
}

function bundle(label: string): CertificateBundle {
  const found = bundles.get(label);
  assert.ok(found, label);
  return found;
}

/** Runs openssl in the suite's directory after writing `files` there. */
function openssl(args: string[], files: Record<string, Buffer | string> = {}): { status: number | null; stdout: string; stderr: string } {
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function opensslBytes(args: string[], output: string, files: Record<string, Buffer | string> = {}): Buffer {
  const result = openssl([...args, '-out', output], files);
  assert.equal(result.status, 0, result.stderr);
  return readFileSync(path.join(dir, output));
}

function pem(der: Buffer): string {
  return new X509Certificate(der).toString();
}

function keyPem(material: KeyMaterial): string {
  return privateKeyObject(material).export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** The same private key and the same certificates, in the same order. */
function assertSameBundle(actual: CertificateBundle, expected: CertificateBundle): void {
  assert.ok(privateKeyObject(actual.material).equals(privateKeyObject(expected.material)), 'same private key');
  assert.equal(actual.material.kty, expected.material.kty);
  if (actual.material.kty === 'EC' && expected.material.kty === 'EC') assert.equal(actual.material.crv, expected.material.crv);
  assert.ok(actual.certDer.equals(expected.certDer), 'same leaf');
  assert.deepEqual(actual.chainDers.map((der) => der.toString('base64')), expected.chainDers.map((der) => der.toString('base64')));
}

async function assertRejectsWith(promise: Promise<unknown> | (() => unknown), kind: 'password' | 'bad', pattern?: RegExp): Promise<void> {
  await assert.rejects(
    typeof promise === 'function' ? (async () => promise())() : promise,
    (error: unknown) => {
      assert.ok(error instanceof CofferError, String(error));
      assert.equal(error.status, 400);
      assert.equal(error.code, 'BadParameter');
      assert.equal(error instanceof IncorrectPasswordError, kind === 'password', error.message);
      if (pattern) assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('toPkcs12', () => {
  for (const keyCase of KEY_CASES) {
    it(`writes a password-less PFX that OpenSSL and node read with an empty password (${keyCase.label})`, async () => {
      const original = bundle(keyCase.label);
      const pfx = await toPkcs12(original);
      const info = openssl(['pkcs12', '-info', '-nokeys', '-in', 'nopass.pfx', '-passin', 'pass:'], { 'nopass.pfx': pfx });
      assert.equal(info.status, 0, info.stderr);
      assert.match(info.stderr, /MAC: sha256, Iteration 2048/);
      assert.match(info.stderr, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/);
      assert.match(info.stdout, /localKeyID:/);
      const keyOut = openssl(['pkcs12', '-in', 'nopass.pfx', '-nocerts', '-nodes', '-passin', 'pass:']);
      assert.equal(keyOut.status, 0, keyOut.stderr);
      assert.ok(createPrivateKey(keyOut.stdout).equals(privateKeyObject(original.material)));
      // node's tls reads it with no passphrase at all, and with an empty one.
      createSecureContext({ pfx });
      createSecureContext({ pfx, passphrase: '' });

      assertSameBundle(await fromPkcs12(pfx), original);
      assertSameBundle(await fromPkcs12(pfx, ''), original);
    });
  }

  it('writes a password-protected PFX, certificates encrypted too, that opens only with its password', async () => {
    const original = bundle('EC P-384');
    const pfx = await toPkcs12({ ...original, password: PASSWORD });
    const files = { 'pass.pfx': pfx };
    const info = openssl(['pkcs12', '-info', '-nokeys', '-in', 'pass.pfx', '-passin', `pass:${PASSWORD}`], files);
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stderr, /PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC/);
    assert.match(info.stderr, /MAC: sha256/);
    assert.notEqual(openssl(['pkcs12', '-info', '-nokeys', '-in', 'pass.pfx', '-passin', 'pass:wrong']).status, 0);
    assert.notEqual(openssl(['pkcs12', '-info', '-nokeys', '-in', 'pass.pfx', '-passin', 'pass:']).status, 0);
    createSecureContext({ pfx, passphrase: PASSWORD });
    assert.throws(() => createSecureContext({ pfx, passphrase: 'wrong' }));

    assertSameBundle(await fromPkcs12(pfx, PASSWORD), original);
    await assertRejectsWith(fromPkcs12(pfx, 'wrong'), 'password', /^The specified PKCS#12 X\.509 certificate content can not be read\. Please check if certificate is in valid PKCS#12 format\.$/);
    await assertRejectsWith(fromPkcs12(pfx), 'password');
  });

  it('takes a non-ASCII password as UTF-8, as OpenSSL 3 does', async () => {
    const password = 'pässwörd €';
    const pfx = await toPkcs12({ ...bundle('RSA 2048'), password });
    assert.equal(openssl(['pkcs12', '-info', '-nokeys', '-in', 'utf8.pfx', '-passin', `pass:${password}`], { 'utf8.pfx': pfx }).status, 0);
    assertSameBundle(await fromPkcs12(pfx, password), bundle('RSA 2048'));
  });

  it('keeps the chain after the leaf, and OpenSSL verifies it', async () => {
    const pfx = await toPkcs12({ ...chained, password: PASSWORD });
    const certs = opensslBytes(['pkcs12', '-in', 'chain.pfx', '-nokeys', '-passin', `pass:${PASSWORD}`], 'chain-certs.pem', { 'chain.pfx': pfx });
    const subjects = [...certs.toString().matchAll(/subject=(.*)/g)].map((match) => match[1]);
    assert.deepEqual(subjects, ['CN = leaf.example.com', 'CN = Test Intermediate', 'CN = Test Root']);
    const verified = openssl(['verify', '-CAfile', 'root.pem', '-untrusted', 'chain-certs.pem', 'leaf.pem'], { 'root.pem': pem(chained.chainDers[1]!), 'leaf.pem': pem(chained.certDer) });
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
    assertSameBundle(await fromPkcs12(pfx, PASSWORD), chained);
  });

  it('refuses key material that is not the certificate’s', async () => {
    await assert.rejects(toPkcs12({ ...bundle('EC P-256'), material: bundle('EC P-384').material }), /does not belong to the certificate/);
  });
});

describe('fromPkcs12', () => {
  let leafPem: string;
  let keyPemText: string;
  let chainPem: string;
  before(() => {
    leafPem = pem(chained.certDer);
    keyPemText = keyPem(chained.material);
    chainPem = chained.chainDers.map(pem).join('');
  });

  function exported(name: string, extra: string[], password = PASSWORD): Buffer {
    return opensslBytes(['pkcs12', '-export', '-inkey', 'key.pem', '-in', 'leaf.pem', '-certfile', 'chain.pem', '-passout', `pass:${password}`, ...extra], name, {
      'key.pem': keyPemText,
      'leaf.pem': leafPem,
      'chain.pem': chainPem,
    });
  }

  it("reads OpenSSL 3's default PFX (AES-256-CBC, PBKDF2, SHA-256 MAC) with its chain", async () => {
    const pfx = exported('default.pfx', []);
    assertSameBundle(await fromPkcs12(pfx, PASSWORD), chained);
    await assertRejectsWith(fromPkcs12(pfx, 'Correct horse battery staple'), 'password');
  });

  it('reads a PFX exported with an empty password, given no password or an empty one', async () => {
    const pfx = exported('empty.pfx', [], '');
    assertSameBundle(await fromPkcs12(pfx), chained);
    assertSameBundle(await fromPkcs12(pfx, ''), chained);
    await assertRejectsWith(fromPkcs12(pfx, PASSWORD), 'password');
  });

  it('reads a PFX without a MAC, and still tells a wrong password', async () => {
    const pfx = exported('nomac.pfx', ['-nomac']);
    assertSameBundle(await fromPkcs12(pfx, PASSWORD), chained);
    await assertRejectsWith(fromPkcs12(pfx, 'wrong'), 'password');
  });

  it('reads a PFX whose key and certificates are not encrypted at all', async () => {
    const pfx = exported('plain.pfx', ['-keypbe', 'NONE', '-certpbe', 'NONE'], '');
    assertSameBundle(await fromPkcs12(pfx), chained);
  });

  it('reads OpenSSL PFX files of every key type', async () => {
    for (const keyCase of KEY_CASES) {
      const original = bundle(keyCase.label);
      const pfx = opensslBytes(['pkcs12', '-export', '-inkey', 'k.pem', '-in', 'c.pem', '-passout', `pass:${PASSWORD}`], 'each.pfx', {
        'k.pem': keyPem(original.material),
        'c.pem': pem(original.certDer),
      });
      assertSameBundle(await fromPkcs12(pfx, PASSWORD), original);
    }
  });

  it('refuses a legacy PFX (RC2-40 certificates, 3DES key) with a clear error', async () => {
    const pfx = exported('legacy.pfx', ['-legacy']);
    await assertRejectsWith(fromPkcs12(pfx, PASSWORD), 'bad', /legacy algorithm pbeWithSHAAnd40BitRC2-CBC.*not supported/);
    // The MAC is checked first, so a wrong password is still a wrong password.
    await assertRejectsWith(fromPkcs12(pfx, 'wrong'), 'password');
    const tripleDes = exported('3des.pfx', ['-legacy', '-certpbe', 'NONE']);
    await assertRejectsWith(fromPkcs12(tripleDes, PASSWORD), 'bad', /pbeWithSHAAnd3-KeyTripleDES-CBC/);
  });

  it('refuses what is not a PFX, a PFX without a private key, and a key type Key Vault does not have', async () => {
    await assertRejectsWith(fromPkcs12(randomBytes(300)), 'bad', /PKCS#12 X\.509 certificate content can not be read/);
    await assertRejectsWith(fromPkcs12(Buffer.from(pem(chained.certDer))), 'bad', /PKCS#12 X\.509 certificate content can not be read/);
    const certsOnly = opensslBytes(['pkcs12', '-export', '-nokeys', '-in', 'leaf.pem', '-passout', `pass:${PASSWORD}`], 'certs-only.pfx', { 'leaf.pem': leafPem });
    await assertRejectsWith(fromPkcs12(certsOnly, PASSWORD), 'bad', /has no private key/);
    const made = openssl(['req', '-x509', '-newkey', 'ed25519', '-nodes', '-keyout', 'ed.key', '-out', 'ed.pem', '-subj', '/CN=ed', '-days', '1']);
    assert.equal(made.status, 0, made.stderr);
    const ed = opensslBytes(['pkcs12', '-export', '-inkey', 'ed.key', '-in', 'ed.pem', '-passout', `pass:${PASSWORD}`], 'ed.pfx');
    await assertRejectsWith(fromPkcs12(ed, PASSWORD), 'bad', /type 'ed25519'/);
  });
});

describe('toPem', () => {
  it('writes the PKCS#8 key, then the leaf, then its chain, as Key Vault’s PEM secret does', () => {
    const text = toPem(chained);
    const blocks = [...text.matchAll(/-----BEGIN ([A-Z ]+)-----/g)].map((match) => match[1]);
    assert.deepEqual(blocks, ['PRIVATE KEY', 'CERTIFICATE', 'CERTIFICATE', 'CERTIFICATE']);
    assert.ok(text.startsWith('-----BEGIN PRIVATE KEY-----\n'));
    assert.ok(text.endsWith('-----END CERTIFICATE-----\n'));
    // OpenSSL takes the first certificate of the file, which must be the leaf, and the key.
    const files = { 'bundle.pem': text };
    assert.equal(openssl(['x509', '-in', 'bundle.pem', '-noout', '-subject'], files).stdout.trim(), 'subject=CN = leaf.example.com');
    const key = openssl(['pkey', '-in', 'bundle.pem', '-pubout']);
    assert.equal(key.status, 0, key.stderr);
    assert.equal(key.stdout, publicKeyObject(chained.material).export({ type: 'spki', format: 'pem' }));
    assertSameBundle(fromPem(text), chained);
  });

  for (const keyCase of KEY_CASES) {
    it(`round-trips through fromPem (${keyCase.label})`, () => {
      assertSameBundle(fromPem(toPem(bundle(keyCase.label))), bundle(keyCase.label));
    });
  }
});

describe('fromPem', () => {
  it('finds the leaf by its key whatever the order of the blocks, and keeps the chain in file order', () => {
    const [intermediate, root] = chained.chainDers.map(pem);
    const text = [root, keyPem(chained.material), pem(chained.certDer), intermediate].join('');
    const read = fromPem(text);
    assert.ok(read.certDer.equals(chained.certDer));
    assert.deepEqual(read.chainDers.map((der) => der.toString('base64')), [chained.chainDers[1]!, chained.chainDers[0]!].map((der) => der.toString('base64')));
    // Windows line endings read the same.
    assertSameBundle(fromPem(toPem(chained).replaceAll('\n', '\r\n')), chained);
  });

  it('reads PKCS#1 RSA keys and SEC1 EC keys as OpenSSL writes them', () => {
    const rsa = bundle('RSA 2048');
    const pkcs1 = opensslBytes(['pkey', '-in', 'rsa8.pem', '-traditional'], 'rsa1.pem', { 'rsa8.pem': keyPem(rsa.material) }).toString();
    assert.match(pkcs1, /-----BEGIN RSA PRIVATE KEY-----/);
    assertSameBundle(fromPem(pem(rsa.certDer) + pkcs1), rsa);

    const opensslCurve = { 'EC P-256': 'prime256v1', 'EC P-256K': 'secp256k1', 'EC P-384': 'secp384r1', 'EC P-521': 'secp521r1' };
    for (const [label, curve] of Object.entries(opensslCurve)) {
      const ec = bundle(label);
      const sec1 = opensslBytes(['ec', '-in', 'ec8.pem'], 'ec1.pem', { 'ec8.pem': keyPem(ec.material) }).toString();
      assert.match(sec1, /^-----BEGIN EC PRIVATE KEY-----/);
      // `openssl ecparam -genkey` writes an EC PARAMETERS block before the key.
      const params = opensslBytes(['ecparam', '-name', curve], 'params.pem').toString();
      assertSameBundle(fromPem(params + sec1 + pem(ec.certDer)), ec);
    }
  });

  it('reads an encrypted PKCS#8 key with its password, and tells a wrong or missing one', async () => {
    const original = bundle('EC P-256');
    const encrypted = opensslBytes(['pkcs8', '-topk8', '-in', 'plain.pem', '-v2', 'aes-256-cbc', '-passout', `pass:${PASSWORD}`], 'enc.pem', { 'plain.pem': keyPem(original.material) }).toString();
    assert.match(encrypted, /-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    const text = encrypted + pem(original.certDer);
    assertSameBundle(fromPem(text, PASSWORD), original);
    await assertRejectsWith(() => fromPem(text, 'wrong'), 'password');
    await assertRejectsWith(() => fromPem(text), 'password');
  });

  it('refuses a PEM without a key, with two keys, without the key’s certificate, or with a damaged certificate', async () => {
    const a = bundle('EC P-256');
    const b = bundle('EC P-384');
    await assertRejectsWith(() => fromPem(pem(a.certDer)), 'bad', /has no private key/);
    await assertRejectsWith(() => fromPem(keyPem(a.material)), 'bad', /has no certificate/);
    await assertRejectsWith(() => fromPem(keyPem(a.material) + keyPem(b.material) + pem(a.certDer)), 'bad', /has 2 private keys/);
    await assertRejectsWith(() => fromPem(keyPem(a.material) + pem(b.certDer)), 'bad', /No certificate in the PEM belongs to its private key/);
    await assertRejectsWith(() => fromPem(`${keyPem(a.material)}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`), 'bad', /not a valid X\.509 certificate/);
    await assertRejectsWith(() => fromPem(`-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n${pem(a.certDer)}`), 'bad', /not a valid private key/);
  });

  it('never puts key material in an error message', async () => {
    const a = bundle('RSA 2048');
    const keyText = keyPem(a.material);
    const body = keyText.split('\n')[1]!;
    for (const attempt of [() => fromPem(keyText + pem(bundle('EC P-256').certDer)), () => fromPem(keyText.replace(body, `${body.slice(0, 10)}!!${body.slice(12)}`))]) {
      await assert.rejects((async () => attempt())(), (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.ok(!error.message.includes(body.slice(0, 16)));
        return true;
      });
    }
  });
});
