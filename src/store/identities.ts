// Principals and their client secrets. Client secrets exist here only as salted hashes. Certificate and federated
// credentials and managed identities have their own stores (certificate-credentials.ts, federated-credentials.ts,
// managed-identities.ts).
import type { Insertable, Selectable } from 'kysely';
import type { ClientSecretCredential, Principal, PrincipalKind } from '../domain/identities/principal.js';
import { cachedLookup } from './cached-lookup.js';
import { changeStamp, readRows, type Db } from './open.js';
import { precompile } from './precompiled.js';
import type { PrincipalsTable } from './schema.js';

export interface IdentityStore {
  getPrincipal(objectId: string): Promise<Principal | undefined>;
  getPrincipalByAppId(appId: string): Promise<Principal | undefined>;
  listPrincipals(): Promise<Principal[]>;
  insertPrincipal(principal: Principal, createdAt: number): Promise<void>;
  listClientSecrets(principalId: string): Promise<ClientSecretCredential[]>;
  insertClientSecret(credential: ClientSecretCredential): Promise<void>;
  /** False when the principal has no such secret. */
  deleteClientSecret(principalId: string, keyId: string): Promise<boolean>;
  /** False when there is no such principal. */
  setPrincipalEnabled(objectId: string, enabled: boolean): Promise<boolean>;
}

export function createIdentityStore(db: Db): IdentityStore {
  // Read on every data-plane request: compiled once (see precompiled.ts) and cached while nothing changes.
  const byObjectId = precompile<Selectable<PrincipalsTable>, [string]>(1, (objectId) => db.selectFrom('principals').selectAll().where('id', '=', objectId!));
  const read = readRows(db);
  const principalById = cachedLookup<Principal>({
    stamp: changeStamp(db),
    load: async (objectId) => {
      const row = (await read(byObjectId(objectId)))[0];
      return row && toPrincipal(row);
    },
  });
  return {
    getPrincipal: (objectId) => principalById(objectId),
    async getPrincipalByAppId(appId) {
      const row = await db.selectFrom('principals').selectAll().where('app_id', '=', appId.toLowerCase()).executeTakeFirst();
      return row && toPrincipal(row);
    },
    async listPrincipals() {
      const rows = await db.selectFrom('principals').selectAll().orderBy('display_name').execute();
      return rows.map(toPrincipal);
    },
    async insertPrincipal(principal, createdAt) {
      await db.insertInto('principals').values(principalRow(principal, createdAt)).execute();
    },
    async listClientSecrets(principalId) {
      const rows = await db.selectFrom('credentials').selectAll().where('principal_id', '=', principalId).where('kind', '=', 'clientSecret').execute();
      return rows.map((row) => ({
        id: row.id,
        principalId: row.principal_id,
        secretHash: row.secret_hash,
        hint: row.hint,
        displayName: row.display_name,
        createdAt: Number(row.created_at),
        expiresAt: row.expires_at === null ? null : Number(row.expires_at),
      }));
    },
    async insertClientSecret(credential) {
      await db
        .insertInto('credentials')
        .values({
          id: credential.id,
          principal_id: credential.principalId,
          kind: 'clientSecret',
          secret_hash: credential.secretHash,
          hint: credential.hint,
          display_name: credential.displayName,
          created_at: credential.createdAt,
          expires_at: credential.expiresAt,
        })
        .execute();
    },
    async deleteClientSecret(principalId, keyId) {
      const result = await db
        .deleteFrom('credentials')
        .where('principal_id', '=', principalId)
        .where('id', '=', keyId)
        .where('kind', '=', 'clientSecret')
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async setPrincipalEnabled(objectId, enabled) {
      const result = await db.updateTable('principals').set({ enabled: enabled ? 1 : 0 }).where('id', '=', objectId).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

/** The principals row of a principal (for stores that insert one inside their own transaction, e.g. applications.ts). */
export function principalRow(principal: Principal, createdAt: number): Insertable<PrincipalsTable> {
  return {
    id: principal.objectId,
    tenant_id: principal.tenantId,
    app_id: principal.appId.toLowerCase(),
    display_name: principal.displayName,
    kind: principal.kind,
    is_admin: principal.isAdmin ? 1 : 0,
    trusted_service: principal.isTrustedService ? 1 : 0,
    enabled: principal.enabled ? 1 : 0,
    created_at: createdAt,
    has_service_principal: principal.hasServicePrincipal === false ? 0 : 1,
  };
}

function toPrincipal(row: Selectable<PrincipalsTable>): Principal {
  return {
    tenantId: row.tenant_id,
    objectId: row.id,
    appId: row.app_id,
    displayName: row.display_name,
    kind: kindOf(row.kind),
    isAdmin: row.is_admin === 1,
    isTrustedService: row.trusted_service === 1,
    enabled: row.enabled === 1,
    ...(row.has_service_principal === 0 ? { hasServicePrincipal: false } : {}),
  };
}

/** Rows name only kinds of our own table; anything else (a row written by a newer version) counts as a service principal. */
function kindOf(kind: string): PrincipalKind {
  return kind === 'managedIdentity' ? 'managedIdentity' : 'servicePrincipal';
}
