// Domain certificates → Azure's JSON: CertificateBundle, CertificateItem and CertificateOperation. A certificate's
// id, kid and sid share its name and version (OPERATIONS.md, object ids).
import type { CertificateProperties, CertificateVersionView } from '../../../domain/certificates/certificate-service.js';
import { toWireCertificatePolicy } from '../../../domain/certificates/certificate-policy.js';
import type { StoredCertificateOperation } from '../../../domain/certificates/stored-certificate.js';
import type { ObjectWithVersion } from '../../../domain/objects/stored-object.js';
import type { Vault } from '../../../domain/vaults/vault.js';
import { deletedMembers, toWireAttributes } from './object-attributes.js';
import { objectUrl } from './object-ids.js';

export function certificateId(baseUrl: string, item: ObjectWithVersion): string {
  return objectUrl(baseUrl, 'certificates', item.object.name, item.version.version);
}

export function toCertificateBundle(baseUrl: string, vault: Vault, item: CertificateVersionView) {
  const { name } = item.object;
  const { version } = item.version;
  return {
    id: certificateId(baseUrl, item),
    kid: objectUrl(baseUrl, 'keys', name, version),
    sid: objectUrl(baseUrl, 'secrets', name, version),
    // A pending certificate has neither yet.
    ...(item.certificate.cer === '' ? {} : { x5t: item.certificate.x5t, cer: item.certificate.cer }),
    attributes: toWireAttributes(vault, item),
    ...(item.version.tags === null ? {} : { tags: item.version.tags }),
    policy: toWireCertificatePolicy(baseUrl, name, item.policy, item.policyTimes),
  };
}

/** GetCertificates lists the unversioned id; GetCertificateVersions the versioned one. */
export function toCertificateItem(baseUrl: string, vault: Vault, item: ObjectWithVersion & { certificate: CertificateProperties }, opts: { versioned: boolean }) {
  return {
    id: opts.versioned ? certificateId(baseUrl, item) : objectUrl(baseUrl, 'certificates', item.object.name),
    // A pending first version (listed with includePending) has no certificate yet, so no thumbprint.
    ...(item.certificate.x5t === '' ? {} : { x5t: item.certificate.x5t }),
    attributes: toWireAttributes(vault, item),
    ...(item.version.tags === null ? {} : { tags: item.version.tags }),
  };
}

export function toCertificateOperation(baseUrl: string, operation: StoredCertificateOperation) {
  return {
    id: `${objectUrl(baseUrl, 'certificates', operation.name)}/pending`,
    issuer: { name: operation.issuerName },
    ...(operation.csr === null ? {} : { csr: operation.csr.toString('base64') }),
    cancellation_requested: operation.cancellationRequested,
    status: operation.status,
    ...(operation.statusDetails === null ? {} : { status_details: operation.statusDetails }),
    ...(operation.error === null ? {} : { error: operation.error }),
    ...(operation.status === 'completed' ? { target: objectUrl(baseUrl, 'certificates', operation.name) } : {}),
    request_id: operation.requestId,
  };
}

export function toDeletedCertificateBundle(baseUrl: string, vault: Vault, item: CertificateVersionView) {
  return { ...deletedMembers(baseUrl, 'deletedcertificates', item), ...toCertificateBundle(baseUrl, vault, item) };
}

export function toDeletedCertificateItem(baseUrl: string, vault: Vault, item: ObjectWithVersion & { certificate: CertificateProperties }) {
  return { ...deletedMembers(baseUrl, 'deletedcertificates', item), ...toCertificateItem(baseUrl, vault, item, { versioned: false }) };
}
