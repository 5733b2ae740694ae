// Certificate credentials of principals: public certificates only (their private keys never reach the server).
import type { Selectable } from 'kysely';
import type { CertificateCredential } from '../domain/identities/principal.js';
import type { Db } from './open.js';
import type { CertificateCredentialsTable } from './schema.js';
import { isUniqueViolation } from './sql-errors.js';

export interface CertificateCredentialStore {
  listCertificateCredentials(principalId: string): Promise<CertificateCredential[]>;
  /** False when the principal already has this certificate. */
  insertCertificateCredential(credential: CertificateCredential): Promise<boolean>;
  /** False when the principal has no such certificate credential. */
  deleteCertificateCredential(principalId: string, keyId: string): Promise<boolean>;
}

export function createCertificateCredentialStore(db: Db): CertificateCredentialStore {
  return {
    async listCertificateCredentials(principalId) {
      const rows = await db.selectFrom('certificate_credentials').selectAll().where('principal_id', '=', principalId).orderBy('created_at').execute();
      return rows.map(toCertificateCredential);
    },
    async insertCertificateCredential(credential) {
      try {
        await db
          .insertInto('certificate_credentials')
          .values({
            id: credential.id,
            principal_id: credential.principalId,
            display_name: credential.displayName,
            certificate: credential.certificate,
            thumbprint_sha1: credential.thumbprintSha1,
            thumbprint_sha256: credential.thumbprintSha256,
            not_before: credential.notBefore,
            not_after: credential.notAfter,
            created_at: credential.createdAt,
          })
          .execute();
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
    async deleteCertificateCredential(principalId, keyId) {
      const result = await db.deleteFrom('certificate_credentials').where('principal_id', '=', principalId).where('id', '=', keyId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

function toCertificateCredential(row: Selectable<CertificateCredentialsTable>): CertificateCredential {
  return {
    id: row.id,
    principalId: row.principal_id,
    displayName: row.display_name,
    certificate: Buffer.from(row.certificate),
    thumbprintSha1: row.thumbprint_sha1,
    thumbprintSha256: row.thumbprint_sha256,
    notBefore: Number(row.not_before),
    notAfter: Number(row.not_after),
    createdAt: Number(row.created_at),
  };
}
