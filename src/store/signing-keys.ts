// Token-signing keys: private halves are stored sealed under the master key.
import type { SigningKeyStore } from '../auth/tokens/signing-keys.js';
import type { Db } from './open.js';

export function createSigningKeyStore(db: Db): SigningKeyStore {
  return {
    async listSigningKeys() {
      const rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at').execute();
      return rows.map((row) => ({
        kid: row.kid,
        sealedPrivateKey: row.sealed_private_key,
        publicJwk: row.public_jwk,
        createdAt: Number(row.created_at),
        retiredAt: row.retired_at === null ? null : Number(row.retired_at),
      }));
    },
    async insertSigningKey(key) {
      await db
        .insertInto('signing_keys')
        .values({ kid: key.kid, sealed_private_key: key.sealedPrivateKey, public_jwk: key.publicJwk, created_at: key.createdAt, retired_at: key.retiredAt })
        .execute();
    },
  };
}
