import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createEnvelope, type RowIdentity } from './envelope.js';

const envelope = createEnvelope({ masterKey: randomBytes(32) });
const vault = { id: 'vault-1', wrappedKey: envelope.createVaultKey('vault-1') };
const row: RowIdentity = { vaultId: 'vault-1', kind: 'secret', objectId: 'db-password', version: 'v1' };
const plaintext = Buffer.from('correct horse battery staple');

describe('envelope.seal / open', () => {
  it('round-trips a value', () => {
    assert.deepEqual(envelope.open(vault, row, envelope.seal(vault, row, plaintext)), plaintext);
  });

  it('round-trips an empty value', () => {
    assert.deepEqual(envelope.open(vault, row, envelope.seal(vault, row, Buffer.alloc(0))), Buffer.alloc(0));
  });

  it('starts every blob with a format byte', () => {
    assert.equal(envelope.seal(vault, row, plaintext)[0], 0x01);
    assert.equal(vault.wrappedKey[0], 0x01);
  });

  it('refuses a blob opened as another row', () => {
    const sealed = envelope.seal(vault, row, plaintext);
    for (const other of [
      { ...row, objectId: 'db-password2' },
      { ...row, version: 'v2' },
      { ...row, kind: 'key' },
    ]) {
      assert.throws(() => envelope.open(vault, other, sealed), /altered, moved/);
    }
  });

  it('does not confuse fields whose concatenation is the same', () => {
    const a = { ...row, objectId: 'ab', version: 'c' };
    const b = { ...row, objectId: 'a', version: 'bc' };
    assert.throws(() => envelope.open(vault, b, envelope.seal(vault, a, plaintext)));
  });

  it('refuses a blob moved to another vault', () => {
    const other = { id: 'vault-2', wrappedKey: envelope.createVaultKey('vault-2') };
    const sealed = envelope.seal(vault, row, plaintext);
    assert.throws(() => envelope.open(other, { ...row, vaultId: 'vault-2' }, sealed));
    assert.throws(() => envelope.open(other, row, sealed));
  });

  it('refuses a vault key presented as another vault', () => {
    assert.throws(() => envelope.seal({ id: 'vault-2', wrappedKey: vault.wrappedKey }, { ...row, vaultId: 'vault-2' }, plaintext));
  });

  it('refuses a blob with any byte flipped', () => {
    const sealed = envelope.seal(vault, row, plaintext);
    for (let i = 0; i < sealed.length; i++) {
      const altered = Buffer.from(sealed);
      altered[i] = altered[i]! ^ 0x01;
      assert.throws(() => envelope.open(vault, row, altered), `byte ${i}`);
    }
  });

  it('refuses a truncated or extended blob', () => {
    const sealed = envelope.seal(vault, row, plaintext);
    assert.throws(() => envelope.open(vault, row, sealed.subarray(0, sealed.length - 1)));
    assert.throws(() => envelope.open(vault, row, Buffer.concat([sealed, Buffer.of(0)])));
    assert.throws(() => envelope.open(vault, row, Buffer.alloc(0)));
  });

  it('refuses an altered wrapped vault key', () => {
    const sealed = envelope.seal(vault, row, plaintext);
    const wrappedKey = Buffer.from(vault.wrappedKey);
    wrappedKey[wrappedKey.length - 1] = wrappedKey[wrappedKey.length - 1]! ^ 0x01;
    assert.throws(() => envelope.open({ id: vault.id, wrappedKey }, row, sealed));
  });

  it('refuses to open under another master key', () => {
    const other = createEnvelope({ masterKey: randomBytes(32) });
    const sealed = envelope.seal(vault, row, plaintext);
    assert.throws(() => other.open(vault, row, sealed), /altered, moved/);
  });

  it('throws plain Errors whose messages carry no key material', () => {
    const sealed = envelope.seal(vault, row, plaintext);
    const error = (() => {
      try {
        envelope.open(vault, { ...row, version: 'v2' }, sealed);
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    assert.ok(error instanceof Error);
    assert.equal(error.constructor, Error);
    assert.ok(!error.message.includes(vault.wrappedKey.toString('base64')));
    assert.ok(!error.message.includes(plaintext.toString()));
  });

  it('does not contain the plaintext', () => {
    const sealed = envelope.seal(vault, row, plaintext);
    assert.equal(sealed.indexOf(plaintext), -1);
    assert.equal(sealed.indexOf(plaintext.subarray(0, 8)), -1);
  });

  it('seals the same plaintext differently each time', () => {
    assert.notDeepEqual(envelope.seal(vault, row, plaintext), envelope.seal(vault, row, plaintext));
    assert.notDeepEqual(envelope.createVaultKey('vault-1'), envelope.createVaultKey('vault-1'));
  });

  it('serves the new key after a vault key changes', () => {
    const changed = { id: vault.id, wrappedKey: envelope.createVaultKey(vault.id) };
    const sealed = envelope.seal(changed, row, plaintext);
    assert.deepEqual(envelope.open(changed, row, sealed), plaintext);
    assert.throws(() => envelope.open(vault, row, sealed));
  });
});

describe('envelope server values', () => {
  it('round-trips under the same purpose', () => {
    const sealed = envelope.sealServerValue('token-signing-key', plaintext);
    assert.deepEqual(envelope.openServerValue('token-signing-key', sealed), plaintext);
    assert.equal(sealed.indexOf(plaintext), -1);
  });

  it('is bound to its purpose', () => {
    const sealed = envelope.sealServerValue('token-signing-key', plaintext);
    assert.throws(() => envelope.openServerValue('backup', sealed));
  });

  it('refuses another master key and altered bytes', () => {
    const sealed = envelope.sealServerValue('backup', plaintext);
    assert.throws(() => createEnvelope({ masterKey: randomBytes(32) }).openServerValue('backup', sealed));
    const altered = Buffer.from(sealed);
    altered[altered.length - 1] = altered[altered.length - 1]! ^ 0x80;
    assert.throws(() => envelope.openServerValue('backup', altered));
  });
});

describe('envelope master key check', () => {
  it('accepts the master key that made it', () => {
    const masterKey = randomBytes(32);
    const check = createEnvelope({ masterKey }).createMasterKeyCheck();
    assert.equal(createEnvelope({ masterKey: Buffer.from(masterKey) }).verifyMasterKeyCheck(check), true);
  });

  it('refuses another master key and malformed checks', () => {
    const check = envelope.createMasterKeyCheck();
    assert.equal(createEnvelope({ masterKey: randomBytes(32) }).verifyMasterKeyCheck(check), false);
    assert.equal(envelope.verifyMasterKeyCheck(''), false);
    assert.equal(envelope.verifyMasterKeyCheck(check.slice(0, -2)), false);
    assert.equal(envelope.verifyMasterKeyCheck(`${check}.x`), false);
  });

  it('refuses a master key of the wrong length', () => {
    assert.throws(() => createEnvelope({ masterKey: randomBytes(16) }));
  });
});
