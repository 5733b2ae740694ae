import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, sign, verify } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { createEnvelope } from '../../crypto/envelope.js';
import { StartupError } from '../../errors.js';
import type { Clock } from '../../clock.js';
import { loadSigningKeys, type ServerSealer, type SigningKeyStore, type StoredSigningKey } from './signing-keys.js';

function memoryStore(initial: StoredSigningKey[] = []): SigningKeyStore & { rows: StoredSigningKey[] } {
  const rows = [...initial];
  return {
    rows,
    listSigningKeys: async () => rows.map((row) => ({ ...row })),
    insertSigningKey: async (key) => {
      rows.push({ ...key });
    },
  };
}

// A test double, not encryption: XOR makes the sealed bytes differ from the DER and records the purpose used.
function xorSealer(): ServerSealer & { purposes: string[] } {
  const purposes: string[] = [];
  const xor = (bytes: Buffer) => Buffer.from(bytes.map((b) => b ^ 0x5a));
  return {
    purposes,
    sealServerValue: (purpose, plaintext) => (purposes.push(purpose), xor(plaintext)),
    openServerValue: (purpose, sealed) => (purposes.push(purpose), xor(sealed)),
  };
}

const clockAt = (seconds: number): Clock => ({ nowMs: () => seconds * 1000 });

function signsAndVerifies(privateKey: Parameters<typeof sign>[2], publicKey: Parameters<typeof verify>[2]): boolean {
  const data = Buffer.from('token');
  return verify('sha256', data, publicKey, sign('sha256', data, privateKey));
}

describe('loadSigningKeys', () => {
  it('creates, seals and stores an RSA-2048 key on first start', async () => {
    const store = memoryStore();
    const sealer = xorSealer();
    const keys = await loadSigningKeys({ store, sealer, clock: clockAt(1_700_000_000) });

    assert.equal(store.rows.length, 1);
    const row = store.rows[0]!;
    const { kid, privateKey } = keys.current();
    assert.equal(row.kid, kid);
    assert.equal(row.createdAt, 1_700_000_000);
    assert.equal(row.retiredAt, null);
    assert.deepEqual(sealer.purposes, ['token-signing-key', 'token-signing-key']);
    assert.equal(privateKey.asymmetricKeyType, 'rsa');
    assert.equal(privateKey.asymmetricKeyDetails?.modulusLength, 2048);
    // The stored blob is the sealed PKCS#8, not the key in clear.
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    assert.ok(!row.sealedPrivateKey.equals(der));
    assert.ok(!row.publicJwk.includes('"d"'));

    const jwk = JSON.parse(row.publicJwk) as { kty: string; n: string; e: string };
    assert.equal(kid, await calculateJwkThumbprint({ kty: 'RSA', n: jwk.n, e: jwk.e }));
    const publicKey = keys.publicKey(kid);
    assert.ok(publicKey);
    assert.ok(signsAndVerifies(privateKey, publicKey));
    assert.equal(keys.publicKey('nope'), undefined);

    assert.deepEqual(keys.jwks(), { keys: [{ kty: 'RSA', n: jwk.n, e: jwk.e, kid, use: 'sig', alg: 'RS256' }] });
  });

  it('reloads the stored key instead of making another', async () => {
    const store = memoryStore();
    const sealer = xorSealer();
    const first = await loadSigningKeys({ store, sealer, clock: clockAt(100) });
    const second = await loadSigningKeys({ store, sealer, clock: clockAt(200) });
    assert.equal(store.rows.length, 1);
    assert.equal(second.current().kid, first.current().kid);
    assert.ok(signsAndVerifies(second.current().privateKey, first.publicKey(first.current().kid)!));
  });

  it('signs with the newest key, trusts and publishes all unretired keys, drops retired ones', async () => {
    const sealer = xorSealer();
    const make = async (createdAt: number, retiredAt: number | null) => {
      const scratch = memoryStore();
      await loadSigningKeys({ store: scratch, sealer, clock: clockAt(createdAt) });
      return { ...scratch.rows[0]!, retiredAt };
    };
    const [old, newest, retired] = await Promise.all([make(100, null), make(300, null), make(50, 60)]);
    const store = memoryStore([old, retired, newest]);
    const keys = await loadSigningKeys({ store, sealer, clock: clockAt(400) });

    assert.equal(store.rows.length, 3);
    assert.equal(keys.current().kid, newest.kid);
    assert.ok(keys.publicKey(old.kid));
    assert.equal(keys.publicKey(retired.kid), undefined);
    assert.deepEqual(
      keys.jwks().keys.map((key) => key.kid),
      [newest.kid, old.kid],
    );
  });

  it('makes a new key when every stored key is retired', async () => {
    const sealer = xorSealer();
    const scratch = memoryStore();
    await loadSigningKeys({ store: scratch, sealer, clock: clockAt(100) });
    const store = memoryStore([{ ...scratch.rows[0]!, retiredAt: 150 }]);
    const keys = await loadSigningKeys({ store, sealer, clock: clockAt(200) });
    assert.equal(store.rows.length, 2);
    assert.notEqual(keys.current().kid, scratch.rows[0]!.kid);
  });

  it('refuses to start when the current key cannot be unsealed, rather than replacing it', async () => {
    const store = memoryStore();
    await loadSigningKeys({ store, sealer: xorSealer(), clock: clockAt(100) });
    const failing: ServerSealer = {
      sealServerValue: () => assert.fail('must not seal'),
      openServerValue: () => {
        throw new Error('GCM tag mismatch');
      },
    };
    await assert.rejects(loadSigningKeys({ store, sealer: failing, clock: clockAt(200) }), (error: unknown) => {
      assert.ok(error instanceof StartupError);
      assert.match(error.message, /could not be unsealed/);
      return true;
    });
    assert.equal(store.rows.length, 1);
  });

  it('refuses a sealed key that does not match its public key', async () => {
    const sealer = xorSealer();
    const [a, b] = await Promise.all(
      [1, 2].map(async () => {
        const scratch = memoryStore();
        await loadSigningKeys({ store: scratch, sealer, clock: clockAt(100) });
        return scratch.rows[0]!;
      }),
    );
    const swapped = { ...a!, sealedPrivateKey: b!.sealedPrivateKey };
    await assert.rejects(loadSigningKeys({ store: memoryStore([swapped]), sealer, clock: clockAt(200) }), /does not match/);
  });

  it('works with the real envelope sealer', async () => {
    const store = memoryStore();
    const envelope = createEnvelope({ masterKey: randomBytes(32) });
    const first = await loadSigningKeys({ store, sealer: envelope, clock: clockAt(100) });
    const again = await loadSigningKeys({ store, sealer: envelope, clock: clockAt(200) });
    assert.equal(again.current().kid, first.current().kid);
    assert.ok(signsAndVerifies(again.current().privateKey, first.publicKey(first.current().kid)!));

    const otherMasterKey = createEnvelope({ masterKey: randomBytes(32) });
    await assert.rejects(loadSigningKeys({ store, sealer: otherMasterKey, clock: clockAt(300) }), StartupError);
  });
});
