import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate, createDecipheriv, createHmac, createPrivateKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSecureContext } from 'node:tls';
import type * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CofferError } from '../../errors.js';
import { generateKeyMaterial, privateKeyObject, publicKeyObject, type KeyGenerationSpec } from '../keys/jwk.js';
import type { KeyMaterial } from '../keys/key-material.js';
import { IncorrectPasswordError, fromPem, fromPkcs12, pkcs12Kdf, toPem, toPkcs12, type CertificateBundle } from './containers.js';
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
const PFX_UNREADABLE = /^The specified PKCS#12 X\.509 certificate content can not be read\. Please check if certificate is in valid PKCS#12 format\.$/;

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

  /** What `openssl pkcs12 -info` says of the file's MAC and encryption, so each test shows it built the file it means to. */
  function algorithms(name: string, password = PASSWORD): string {
    const info = openssl(['pkcs12', '-info', '-nokeys', '-nocerts', '-in', name, '-passin', `pass:${password}`, '-legacy']);
    assert.equal(info.status, 0, info.stderr);
    return info.stderr;
  }

  it('reads a legacy PFX as OpenSSL 1.x and `openssl pkcs12 -legacy` write it (3DES key, RC2-40 certificates, SHA-1 MAC), with its chain', async () => {
    const pfx = exported('legacy.pfx', ['-legacy']);
    const info = algorithms('legacy.pfx');
    assert.match(info, /MAC: sha1, Iteration 2048/);
    assert.match(info, /PKCS7 Encrypted data: pbeWithSHA1And40BitRC2-CBC, Iteration 2048/);
    assert.match(info, /Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048/);
    assertSameBundle(await fromPkcs12(pfx, PASSWORD), chained);
    // The SHA-1 MAC is checked as a SHA-2 one is: a wrong or missing password is a wrong password, and the message names neither.
    await assertRejectsWith(fromPkcs12(pfx, 'wrong'), 'password', PFX_UNREADABLE);
    await assertRejectsWith(fromPkcs12(pfx, PASSWORD.toUpperCase()), 'password', PFX_UNREADABLE);
    await assertRejectsWith(fromPkcs12(pfx), 'password', PFX_UNREADABLE);
  });

  it("reads Windows' TripleDES-SHA1 export (3DES key and certificates, SHA-1 MAC), with its chain", async () => {
    const pfx = exported('3des.pfx', ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']);
    const info = algorithms('3des.pfx');
    assert.match(info, /MAC: sha1/);
    assert.match(info, /PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC/);
    assert.match(info, /Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC/);
    assertSameBundle(await fromPkcs12(pfx, PASSWORD), chained);
    await assertRejectsWith(fromPkcs12(pfx, 'wrong'), 'password', PFX_UNREADABLE);
  });

  it('reads legacy PFX files of every key type, with RC2-40 or 3DES certificates', async () => {
    const schemes = [['-legacy'], ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']];
    for (const keyCase of KEY_CASES) {
      const original = bundle(keyCase.label);
      for (const scheme of schemes) {
        const pfx = opensslBytes(['pkcs12', '-export', '-inkey', 'k.pem', '-in', 'c.pem', '-passout', `pass:${PASSWORD}`, ...scheme], 'each-legacy.pfx', {
          'k.pem': keyPem(original.material),
          'c.pem': pem(original.certDer),
        });
        assertSameBundle(await fromPkcs12(pfx, PASSWORD), original);
      }
    }
  });

  it('reads the other legacy schemes, 2-key 3DES and 128-bit RC2, and RC2 for the key, 3DES for the certificates', async () => {
    const cases = [
      { name: 'rc2-128.pfx', key: 'PBE-SHA1-2DES', certs: 'PBE-SHA1-RC2-128', keyInfo: 'pbeWithSHA1And2-KeyTripleDES-CBC', certsInfo: 'pbeWithSHA1And128BitRC2-CBC' },
      { name: 'rc2-40-key.pfx', key: 'PBE-SHA1-RC2-40', certs: 'PBE-SHA1-2DES', keyInfo: 'pbeWithSHA1And40BitRC2-CBC', certsInfo: 'pbeWithSHA1And2-KeyTripleDES-CBC' },
      { name: 'rc2-128-key.pfx', key: 'PBE-SHA1-RC2-128', certs: 'PBE-SHA1-3DES', keyInfo: 'pbeWithSHA1And128BitRC2-CBC', certsInfo: 'pbeWithSHA1And3-KeyTripleDES-CBC' },
    ];
    for (const c of cases) {
      const pfx = exported(c.name, ['-legacy', '-keypbe', c.key, '-certpbe', c.certs]);
      const info = algorithms(c.name);
      assert.ok(info.includes(`Shrouded Keybag: ${c.keyInfo},`), info);
      assert.ok(info.includes(`PKCS7 Encrypted data: ${c.certsInfo},`), info);
      assertSameBundle(await fromPkcs12(pfx, PASSWORD), chained);
      await assertRejectsWith(fromPkcs12(pfx, 'wrong'), 'password', PFX_UNREADABLE);
    }
  });

  it('reads a legacy PFX exported with an empty password, or a non-ASCII one (a UTF-16 BMPString, as OpenSSL 3 and Windows encode it)', async () => {
    const empty = exported('legacy-empty.pfx', ['-legacy'], '');
    assertSameBundle(await fromPkcs12(empty), chained);
    assertSameBundle(await fromPkcs12(empty, ''), chained);
    await assertRejectsWith(fromPkcs12(empty, PASSWORD), 'password', PFX_UNREADABLE);

    // Beyond Latin-1 and beyond the BMP: '🔑' is a surrogate pair in UTF-16.
    const password = 'pässwörd € 🔑';
    const pfx = exported('legacy-utf8.pfx', ['-legacy'], password);
    assert.match(algorithms('legacy-utf8.pfx', password), /pbeWithSHA1And40BitRC2-CBC/);
    assertSameBundle(await fromPkcs12(pfx, password), chained);
    await assertRejectsWith(fromPkcs12(pfx, 'pässwörd € '), 'password', PFX_UNREADABLE);
  });

  it('tells a wrong password on a legacy PFX without a MAC, even one that leaves valid padding: never a garbage key', async () => {
    const pfx = exported('legacy-nomac.pfx', ['-legacy', '-nomac']);
    assert.doesNotMatch(algorithms('legacy-nomac.pfx'), /MAC:/);
    assertSameBundle(await fromPkcs12(pfx, PASSWORD), chained);
    await assertRejectsWith(fromPkcs12(pfx, 'wrong'), 'password', PFX_UNREADABLE);
    await assertRejectsWith(fromPkcs12(pfx), 'password', PFX_UNREADABLE);

    // About one wrong password in 256 decrypts to bytes that end in valid padding. One such password is found here for the
    // certificates, then for the key (certificates in the clear), so the check after the padding is what must refuse it.
    // One iteration keeps the search fast. (`-iter` sets the MAC's count too, so `-nomac` must come after it.)
    for (const certpbe of ['PBE-SHA1-3DES', 'NONE']) {
      const der = exported('legacy-nomac-iter1.pfx', ['-legacy', '-iter', '1', '-nomac', '-keypbe', 'PBE-SHA1-3DES', '-certpbe', certpbe]);
      assert.doesNotMatch(algorithms('legacy-nomac-iter1.pfx'), /MAC:/);
      const { algorithm, ciphertext } = firstEncrypted(der);
      const wrong = passwordWithValidPadding(algorithm, ciphertext);
      await assertRejectsWith(fromPkcs12(der, wrong), 'password', PFX_UNREADABLE);
      assertSameBundle(await fromPkcs12(der, PASSWORD), chained);
    }
  });

  it('still refuses the RC4 schemes, with a clear error', async () => {
    const pfx = exported('rc4.pfx', ['-legacy', '-keypbe', 'PBE-SHA1-RC4-128']);
    assert.match(algorithms('rc4.pfx'), /Shrouded Keybag: pbeWithSHA1And128BitRC4/);
    await assertRejectsWith(fromPkcs12(pfx, PASSWORD), 'bad', /legacy algorithm pbeWithSHAAnd128BitRC4, which is not supported/);
    // The MAC is checked first, so a wrong password is still a wrong password.
    await assertRejectsWith(fromPkcs12(pfx, 'wrong'), 'password');
  });

  /** The first encrypted thing of a PFX without a MAC: the certificates' EncryptedData if there is one, else the shrouded key. */
  function firstEncrypted(der: Buffer): { algorithm: pkijs.AlgorithmIdentifier; ciphertext: Buffer } {
    const pfx = pkijs.PFX.fromBER(der);
    const safe = pkijs.AuthenticatedSafe.fromBER((pfx.authSafe.content as asn1js.OctetString).getValue());
    for (const content of safe.safeContents) {
      if (content.contentType === '1.2.840.113549.1.7.6') {
        const info = new pkijs.EncryptedData({ schema: content.content }).encryptedContentInfo;
        return { algorithm: info.contentEncryptionAlgorithm, ciphertext: Buffer.from(info.getEncryptedContent()) };
      }
      for (const bag of pkijs.SafeContents.fromBER((content.content as asn1js.OctetString).getValue()).safeBags) {
        if (bag.bagValue instanceof pkijs.PKCS8ShroudedKeyBag) return { algorithm: bag.bagValue.encryptionAlgorithm, ciphertext: Buffer.from(bag.bagValue.encryptedData.getValue()) };
      }
    }
    throw new Error('nothing encrypted');
  }

  /** A wrong password under which 3-key 3DES decrypts `ciphertext` to bytes with valid PKCS#7 padding (node's own check). */
  function passwordWithValidPadding(algorithm: pkijs.AlgorithmIdentifier, ciphertext: Buffer): string {
    assert.equal(algorithm.algorithmId, '1.2.840.113549.1.12.1.3');
    const [salt, iterations] = (algorithm.algorithmParams as asn1js.Sequence).valueBlock.value as [asn1js.OctetString, asn1js.Integer];
    assert.equal(iterations.valueBlock.valueDec, 1);
    for (let i = 0; i < 100_000; i++) {
      const password = `wrong ${i}`;
      const derive = (id: 1 | 2, length: number) => pkcs12Kdf(password, salt.valueBlock.valueHexView, 1, id, length);
      const decipher = createDecipheriv('des-ede3-cbc', derive(1, 24), derive(2, 8));
      try {
        decipher.update(ciphertext);
        decipher.final();
        return password;
      } catch {
        // Bad padding, as most wrong passwords give.
      }
    }
    throw new Error('no password with valid padding found');
  }

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

describe('pkcs12Kdf', () => {
  /** The password as RFC 7292 Appendix B.1 has the KDF take it: UTF-16 big-endian, two zero bytes after. */
  function bmpString(password: string): Buffer {
    return Buffer.concat([Buffer.from(password, 'utf16le').swap16(), Buffer.alloc(2)]);
  }

  it('matches the vectors of golang.org/x/crypto/pkcs12 (pbkdf_test.go)', () => {
    // TestThatPBKDFWorksCorrectlyForLongKeys: the 3DES key for "sesame".
    assert.equal(pkcs12Kdf('sesame', Buffer.from('ffffffffffffffff', 'hex'), 2048, 1, 24).toString('hex'), '7cd9fd3e2b3be7691a44e3bef0f9ea0fb9b897d4e325d9d1');
    // TestThatPBKDFHandlesLeadingZeros: the empty password (two zero bytes), where a block of I gets a leading zero byte.
    assert.equal(pkcs12Kdf('', Buffer.from('f37e05b518324b4b', 'hex'), 2048, 1, 24).toString('hex'), '00f759ff47d14dd03665d5943cb3c4a39a2555c02aed66e1');
  });

  it("matches OpenSSL's PKCS12KDF for keys, IVs and MAC keys: lengths of one to three hashes, salts longer than a block", () => {
    const cases = [
      { password: PASSWORD, salt: '0123456789abcdef', iterations: 2048, id: 1, length: 5 },
      { password: PASSWORD, salt: '0123456789abcdef', iterations: 2048, id: 2, length: 8 },
      { password: PASSWORD, salt: '0123456789abcdef', iterations: 2048, id: 3, length: 20 },
      { password: 'pässwörd € 🔑', salt: 'a5'.repeat(20), iterations: 1, id: 1, length: 41 },
      { password: '', salt: '00'.repeat(70), iterations: 3, id: 2, length: 16 },
      { password: 'x'.repeat(40), salt: '', iterations: 2000, id: 1, length: 24 },
    ] as const;
    for (const c of cases) {
      const result = openssl([
        'kdf', '-keylen', String(c.length), '-kdfopt', 'digest:SHA1', '-kdfopt', `hexpass:${bmpString(c.password).toString('hex')}`,
        ...(c.salt ? ['-kdfopt', `hexsalt:${c.salt}`] : ['-kdfopt', 'salt:']),
        '-kdfopt', `iter:${c.iterations}`, '-kdfopt', `id:${c.id}`, 'PKCS12KDF',
      ]);
      assert.equal(result.status, 0, result.stderr);
      const expected = result.stdout.trim().replaceAll(':', '').toLowerCase();
      assert.equal(pkcs12Kdf(c.password, Buffer.from(c.salt, 'hex'), c.iterations, c.id, c.length).toString('hex'), expected, JSON.stringify(c));
    }
  });

  it("derives the MAC key that verifies an OpenSSL legacy file's HMAC-SHA1", () => {
    const der = opensslBytes(['pkcs12', '-export', '-legacy', '-inkey', 'k.pem', '-in', 'c.pem', '-passout', `pass:${PASSWORD}`], 'mac.pfx', {
      'k.pem': keyPem(chained.material),
      'c.pem': pem(chained.certDer),
    });
    const pfx = pkijs.PFX.fromBER(der);
    const macData = pfx.macData!;
    assert.equal(macData.mac.digestAlgorithm.algorithmId, '1.3.14.3.2.26');
    const salt = Buffer.from(macData.macSalt.valueBlock.valueHexView);
    const content = Buffer.from((pfx.authSafe.content as asn1js.OctetString).getValue());
    const mac = (password: string) => createHmac('sha1', pkcs12Kdf(password, salt, macData.iterations ?? 1, 3, 20)).update(content).digest();
    assert.ok(mac(PASSWORD).equals(Buffer.from(macData.mac.digest.valueBlock.valueHexView)));
    assert.ok(!mac('wrong').equals(Buffer.from(macData.mac.digest.valueBlock.valueHexView)));
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
