// Federated credentials of principals: which external issuer's tokens, for which subject and audience, a principal
// accepts as client assertions (workload identity federation).
import type { Selectable } from 'kysely';
import type { FederatedCredential } from '../domain/identities/principal.js';
import type { Db } from './open.js';
import type { FederatedCredentialsTable } from './schema.js';
import { isUniqueViolation } from './sql-errors.js';

export interface FederatedCredentialStore {
  listFederatedCredentials(principalId: string): Promise<FederatedCredential[]>;
  /** False when the principal already has a credential of that name, or of that issuer and subject. */
  insertFederatedCredential(credential: FederatedCredential): Promise<boolean>;
  /**
   * Replaces issuer, subject, audiences and description of the principal's credential `credential.id` (ARM's PUT of an
   * existing federatedIdentityCredentials resource); false when another credential has that issuer and subject.
   */
  replaceFederatedCredential(credential: FederatedCredential): Promise<boolean>;
  /** Removes the credential of that name or id; false when the principal has none. */
  deleteFederatedCredential(principalId: string, nameOrId: string): Promise<boolean>;
}

export function createFederatedCredentialStore(db: Db): FederatedCredentialStore {
  return {
    async listFederatedCredentials(principalId) {
      const rows = await db.selectFrom('federated_credentials').selectAll().where('principal_id', '=', principalId).orderBy('name').execute();
      return rows.map(toFederatedCredential);
    },
    async insertFederatedCredential(credential) {
      try {
        await db
          .insertInto('federated_credentials')
          .values({
            id: credential.id,
            principal_id: credential.principalId,
            name: credential.name,
            issuer: credential.issuer,
            subject: credential.subject,
            audiences: JSON.stringify(credential.audiences),
            description: credential.description,
            created_at: credential.createdAt,
          })
          .execute();
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
    async replaceFederatedCredential(credential) {
      try {
        await db
          .updateTable('federated_credentials')
          .set({ issuer: credential.issuer, subject: credential.subject, audiences: JSON.stringify(credential.audiences), description: credential.description })
          .where('principal_id', '=', credential.principalId)
          .where('id', '=', credential.id)
          .execute();
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
    async deleteFederatedCredential(principalId, nameOrId) {
      const result = await db
        .deleteFrom('federated_credentials')
        .where('principal_id', '=', principalId)
        .where((eb) => eb.or([eb('name', '=', nameOrId), eb('id', '=', nameOrId)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

function toFederatedCredential(row: Selectable<FederatedCredentialsTable>): FederatedCredential {
  const audiences: unknown = JSON.parse(row.audiences);
  return {
    id: row.id,
    principalId: row.principal_id,
    name: row.name,
    issuer: row.issuer,
    subject: row.subject,
    audiences: Array.isArray(audiences) ? audiences.filter((audience): audience is string => typeof audience === 'string') : [],
    description: row.description,
    createdAt: Number(row.created_at),
  };
}
