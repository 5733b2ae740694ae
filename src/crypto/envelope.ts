// Envelope encryption (DESIGN.md §4): data key → vault key → master key, AES-256-GCM, additional data = row identity.
// The only module that sees unwrapped vault keys; nothing here is logged, and no key or plaintext reaches an error message.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export interface RowIdentity {
  vaultId: string;
  kind: string;
  objectId: string;
  version: string;
}

export interface Envelope {
  /** A fresh random 32-byte vault key, returned wrapped by the master key (AAD binds it to vaultId). Store the result. */
  createVaultKey(vaultId: string): Buffer;
  /** Seal plaintext for one object version: a fresh data key encrypts the bytes, the vault key wraps the data key, AAD on both = the row identity. */
  seal(vault: { id: string; wrappedKey: Buffer }, row: RowIdentity, plaintext: Buffer): Buffer;
  /** Opens what seal produced; any mismatch throws an Error (not a CofferError). */
  open(vault: { id: string; wrappedKey: Buffer }, row: RowIdentity, sealed: Buffer): Buffer;
  /** Seal/open server-wide values (token-signing keys, backup blobs) under a key derived from the master key for this purpose. */
  sealServerValue(purpose: string, plaintext: Buffer): Buffer;
  openServerValue(purpose: string, sealed: Buffer): Buffer;
  /** A check value stored at first start, so a later start can tell whether it was given the same master key. */
  createMasterKeyCheck(): string;
  verifyMasterKeyCheck(check: string): boolean;
}

const keyBytes = 32;
const ivBytes = 12;
const tagBytes = 16;
// Format bytes lead every blob so the layout can change without guessing at old rows.
const formatV1 = 0x01;
const gcmOverhead = 1 + ivBytes + tagBytes;
const wrappedKeyBytes = gcmOverhead + keyBytes;
const checkPrefix = 'v1.';
// Vault keys are few and small; the bound only stops a long-lived process from growing without limit.
const maxCachedVaultKeys = 1024;

export function createEnvelope(opts: { masterKey: Buffer }): Envelope {
  if (opts.masterKey.length !== keyBytes) throw new Error(`The master key must be ${keyBytes} bytes.`);
  const masterKey = Buffer.from(opts.masterKey);
  // Each use of the master key gets its own derived key, so a blob of one kind can never be opened as another.
  const vaultWrappingKey = deriveKey(masterKey, ['coffer', 'vault-key']);
  const checkKey = deriveKey(masterKey, ['coffer', 'master-key-check']);
  const vaultKeys = new Map<string, { wrapped: Buffer; key: Buffer }>();

  function unwrapVaultKey(vault: { id: string; wrappedKey: Buffer }): Buffer {
    // Checked against the wrapped bytes too: a vault whose key was replaced must not be served the old one.
    const cached = vaultKeys.get(vault.id);
    if (cached && cached.wrapped.equals(vault.wrappedKey)) return cached.key;
    if (vault.wrappedKey.length !== wrappedKeyBytes) throw new Error(`The wrapped key of vault '${vault.id}' is malformed.`);
    const key = decrypt(vaultWrappingKey, vault.wrappedKey, encodeFields(['vault-key', vault.id]), `the key of vault '${vault.id}'`);
    if (vaultKeys.size >= maxCachedVaultKeys) {
      const oldest = vaultKeys.keys().next();
      if (!oldest.done) vaultKeys.delete(oldest.value);
    }
    vaultKeys.set(vault.id, { wrapped: Buffer.from(vault.wrappedKey), key });
    return key;
  }

  return {
    createVaultKey(vaultId) {
      const key = randomBytes(keyBytes);
      try {
        return encrypt(vaultWrappingKey, key, encodeFields(['vault-key', vaultId]));
      } finally {
        key.fill(0);
      }
    },

    seal(vault, row, plaintext) {
      assertSameVault(vault, row);
      const vaultKey = unwrapVaultKey(vault);
      const dataKey = randomBytes(keyBytes);
      try {
        const wrappedDataKey = encrypt(vaultKey, dataKey, rowAad('data-key', row));
        const ciphertext = encrypt(dataKey, plaintext, rowAad('value', row));
        return Buffer.concat([Buffer.of(formatV1), wrappedDataKey, ciphertext]);
      } finally {
        dataKey.fill(0);
      }
    },

    open(vault, row, sealed) {
      assertSameVault(vault, row);
      if (sealed.length < 1 + wrappedKeyBytes + gcmOverhead || sealed[0] !== formatV1) {
        throw new Error(`The sealed value of ${describeRow(row)} is malformed or of an unknown format.`);
      }
      const vaultKey = unwrapVaultKey(vault);
      const what = `the sealed value of ${describeRow(row)}`;
      const dataKey = decrypt(vaultKey, sealed.subarray(1, 1 + wrappedKeyBytes), rowAad('data-key', row), what);
      try {
        return decrypt(dataKey, sealed.subarray(1 + wrappedKeyBytes), rowAad('value', row), what);
      } finally {
        dataKey.fill(0);
      }
    },

    sealServerValue(purpose, plaintext) {
      const key = deriveKey(masterKey, ['coffer', 'server-value', purpose]);
      return encrypt(key, plaintext, encodeFields(['server-value', purpose]));
    },

    openServerValue(purpose, sealed) {
      if (sealed.length < gcmOverhead) throw new Error(`The sealed server value for '${purpose}' is malformed.`);
      const key = deriveKey(masterKey, ['coffer', 'server-value', purpose]);
      return decrypt(key, sealed, encodeFields(['server-value', purpose]), `the sealed server value for '${purpose}'`);
    },

    createMasterKeyCheck() {
      const salt = randomBytes(16);
      return `${checkPrefix}${salt.toString('base64url')}.${checkMac(checkKey, salt).toString('base64url')}`;
    },

    verifyMasterKeyCheck(check) {
      const parts = check.startsWith(checkPrefix) ? check.slice(checkPrefix.length).split('.') : [];
      if (parts.length !== 2) return false;
      const salt = Buffer.from(parts[0] ?? '', 'base64url');
      const mac = Buffer.from(parts[1] ?? '', 'base64url');
      const expected = checkMac(checkKey, salt);
      return mac.length === expected.length && timingSafeEqual(mac, expected);
    },
  };
}

/** Length-prefixed UTF-8 fields: unambiguous whatever characters the fields contain. */
/** Each field as a 4-byte big-endian length and its UTF-8 bytes, written into one buffer (this runs on every read). */
function encodeFields(fields: string[]): Buffer {
  let total = 0;
  for (const field of fields) total += 4 + Buffer.byteLength(field, 'utf8');
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  for (const field of fields) {
    const length = out.write(field, offset + 4, 'utf8');
    out.writeUInt32BE(length, offset);
    offset += 4 + length;
  }
  return out;
}

function rowAad(layer: 'data-key' | 'value', row: RowIdentity): Buffer {
  return encodeFields([layer, row.vaultId, row.kind, row.objectId, row.version]);
}

function assertSameVault(vault: { id: string }, row: RowIdentity): void {
  // A row handed to another vault's key is a caller bug; say so instead of a puzzling authentication failure.
  if (vault.id !== row.vaultId) throw new Error(`A row of vault '${row.vaultId}' was given the key of vault '${vault.id}'.`);
}

function deriveKey(masterKey: Buffer, info: string[]): Buffer {
  // No salt: the master key is already uniformly random, which is what HKDF's salt would otherwise provide.
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), encodeFields(info), keyBytes));
}

function checkMac(key: Buffer, salt: Buffer): Buffer {
  return createHmac('sha256', key).update(salt).digest();
}

function describeRow(row: RowIdentity): string {
  return `${row.kind} '${row.objectId}' version '${row.version}' in vault '${row.vaultId}'`;
}

/** [format][iv][tag][ciphertext] */
function encrypt(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(formatV1), iv, cipher.getAuthTag(), ciphertext]);
}

function decrypt(key: Buffer, blob: Buffer, aad: Buffer, what: string): Buffer {
  if (blob.length < gcmOverhead || blob[0] !== formatV1) throw new Error(`${what} is malformed or of an unknown format.`);
  const iv = blob.subarray(1, 1 + ivBytes);
  const tag = blob.subarray(1 + ivBytes, gcmOverhead);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(blob.subarray(gcmOverhead)), decipher.final()]);
  } catch {
    // GCM cannot say which input was wrong, and guessing would mislead whoever investigates.
    throw new Error(`Cannot open ${what}: it was altered, moved from another row, or sealed under another master key.`);
  }
}
