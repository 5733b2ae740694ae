// Applications (Graph's application objects, migration 0010) and the lifecycle of their service principals. An
// application's credentials hang off the principals row with its appId, which exists from the application's creation
// on; `has_service_principal` says whether that row is also the application's service principal (the object tokens,
// role assignments and group memberships name). Every change that spans tables runs in one transaction.
import type { Selectable } from 'kysely';
import type { Application } from '../domain/identities/application.js';
import type { CertificateCredential, Principal } from '../domain/identities/principal.js';
import { createCertificateCredentialStore } from './certificate-credentials.js';
import { principalRow } from './identities.js';
import type { Db } from './open.js';
import type { ApplicationsTable } from './schema.js';

export interface ApplicationStore {
  getApplication(objectId: string): Promise<Application | undefined>;
  getApplicationByAppId(appId: string): Promise<Application | undefined>;
  listApplications(): Promise<Application[]>;
  /**
   * The application, the principals row that holds its credentials (a service principal or not yet one) and its first
   * certificate credentials, together; false (nothing stored) when two certificates are the same.
   */
  insertApplication(application: Application, principal: Principal, certificates?: readonly CertificateCredential[]): Promise<boolean>;
  /**
   * Changes the application and, with `certificates`, removes and adds certificate credentials of its principal, in one
   * transaction; false (nothing changed) when an added certificate is already registered.
   */
  updateApplication(
    objectId: string,
    changes: { displayName?: string; description?: string | null; certificates?: { principalId: string; remove: readonly string[]; add: readonly CertificateCredential[] } },
  ): Promise<boolean>;
  /**
   * Removes the application, its principals row with every credential on it (by cascade), and that principal's group
   * memberships. Role assignments naming the principal stay, as Azure leaves them, and never match again.
   */
  deleteApplication(objectId: string, principalId: string): Promise<void>;
  /**
   * Makes an application's credential holder its service principal; false when it already is one. The service principal
   * takes the application's display name, as Entra copies it.
   */
  createServicePrincipal(principalId: string, opts: { displayName: string; enabled: boolean; createdAt: number }): Promise<boolean>;
  /**
   * Deletes a service principal, keeping its application's credentials: they move to a new principals row (`newObjectId`,
   * not a service principal), the old object id disappears with its group memberships, and tokens naming it stop
   * counting. A service principal created again later gets the new object id, as Entra gives a new one.
   */
  deleteServicePrincipal(principalId: string, opts: { newObjectId: string; at: number }): Promise<boolean>;
  /** False when there is no such principal. */
  updatePrincipal(objectId: string, changes: { displayName?: string; enabled?: boolean }): Promise<boolean>;
}

/** Thrown inside a transaction to roll it back when an insert meets a unique constraint. */
class DuplicateCredential extends Error {}

export function createApplicationStore(db: Db): ApplicationStore {
  return {
    async getApplication(objectId) {
      const row = await db.selectFrom('applications').selectAll().where('id', '=', objectId.toLowerCase()).executeTakeFirst();
      return row && toApplication(row);
    },
    async getApplicationByAppId(appId) {
      const row = await db.selectFrom('applications').selectAll().where('app_id', '=', appId.toLowerCase()).executeTakeFirst();
      return row && toApplication(row);
    },
    async listApplications() {
      return (await db.selectFrom('applications').selectAll().orderBy('display_name').orderBy('id').execute()).map(toApplication);
    },
    async insertApplication(application, principal, certificates = []) {
      return withoutDuplicates(() =>
        db.transaction().execute(async (tx) => {
          await tx.insertInto('principals').values(principalRow(principal, application.createdAt)).execute();
          await tx
            .insertInto('applications')
            .values({
              id: application.objectId.toLowerCase(),
              app_id: application.appId.toLowerCase(),
              display_name: application.displayName,
              description: application.description,
              created_at: application.createdAt,
            })
            .execute();
          await changeCertificates(tx, { principalId: principal.objectId, remove: [], add: certificates });
        }),
      );
    },
    async updateApplication(objectId, changes) {
      const values = {
        ...(changes.displayName === undefined ? {} : { display_name: changes.displayName }),
        ...(changes.description === undefined ? {} : { description: changes.description }),
      };
      return withoutDuplicates(() =>
        db.transaction().execute(async (tx) => {
          if (Object.keys(values).length > 0) await tx.updateTable('applications').set(values).where('id', '=', objectId.toLowerCase()).execute();
          if (changes.certificates) await changeCertificates(tx, changes.certificates);
        }),
      );
    },
    async deleteApplication(objectId, principalId) {
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('group_members').where('member_id', '=', principalId).execute();
        await tx.deleteFrom('principals').where('id', '=', principalId).execute();
        await tx.deleteFrom('applications').where('id', '=', objectId.toLowerCase()).execute();
      });
    },
    async createServicePrincipal(principalId, opts) {
      const result = await db
        .updateTable('principals')
        .set({ has_service_principal: 1, display_name: opts.displayName, enabled: opts.enabled ? 1 : 0, created_at: opts.createdAt })
        .where('id', '=', principalId)
        .where('has_service_principal', '=', 0)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async deleteServicePrincipal(principalId, opts) {
      return db.transaction().execute(async (tx) => {
        const row = await tx.selectFrom('principals').selectAll().where('id', '=', principalId).where('has_service_principal', '=', 1).executeTakeFirst();
        if (!row) return false;
        // app_id is unique: the old row lets go of it before the new one takes it. Foreign keys hold at every step
        // (PostgreSQL checks them per statement), so the credentials move before the old row goes.
        await tx.updateTable('principals').set({ app_id: `deleted:${principalId}` }).where('id', '=', principalId).execute();
        await tx
          .insertInto('principals')
          .values({ ...row, id: opts.newObjectId, has_service_principal: 0, enabled: 1, is_admin: 0, created_at: opts.at })
          .execute();
        for (const table of ['credentials', 'certificate_credentials', 'federated_credentials'] as const) {
          await tx.updateTable(table).set({ principal_id: opts.newObjectId }).where('principal_id', '=', principalId).execute();
        }
        await tx.deleteFrom('group_members').where('member_id', '=', principalId).execute();
        await tx.deleteFrom('principals').where('id', '=', principalId).execute();
        return true;
      });
    },
    async updatePrincipal(objectId, changes) {
      const values = {
        ...(changes.displayName === undefined ? {} : { display_name: changes.displayName }),
        ...(changes.enabled === undefined ? {} : { enabled: changes.enabled ? 1 : 0 }),
      };
      if (Object.keys(values).length === 0) {
        return (await db.selectFrom('principals').select('id').where('id', '=', objectId).executeTakeFirst()) !== undefined;
      }
      const result = await db.updateTable('principals').set(values).where('id', '=', objectId).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

/** Inside a transaction: removes certificate credentials by keyId, then adds others; a duplicate rolls everything back. */
async function changeCertificates(tx: Db, change: { principalId: string; remove: readonly string[]; add: readonly CertificateCredential[] }): Promise<void> {
  const certificates = createCertificateCredentialStore(tx);
  for (const keyId of change.remove) await certificates.deleteCertificateCredential(change.principalId, keyId);
  for (const credential of change.add) {
    if (!(await certificates.insertCertificateCredential(credential))) throw new DuplicateCredential();
  }
}

async function withoutDuplicates(write: () => Promise<void>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof DuplicateCredential) return false;
    throw error;
  }
}

function toApplication(row: Selectable<ApplicationsTable>): Application {
  return {
    objectId: row.id,
    appId: row.app_id,
    displayName: row.display_name,
    description: row.description,
    createdAt: Number(row.created_at),
  };
}
