// What each data-plane operation needs under the access-policy model: one permission of one object kind, as the
// REST reference's "This operation requires the X permission" notes say (and CATALOG.md §3). The RBAC model uses
// the operation's dataAction instead (declared with the operation itself).

export type PolicyCollection = 'keys' | 'secrets' | 'certificates';

export interface PolicyPermission {
  collection: PolicyCollection;
  permission: string;
}

const p = (collection: PolicyCollection, permission: string): PolicyPermission => ({ collection, permission });

export const POLICY_PERMISSIONS: Readonly<Record<string, PolicyPermission>> = {
  SecretSet: p('secrets', 'set'),
  SecretGet: p('secrets', 'get'),
  SecretUpdate: p('secrets', 'set'),
  SecretList: p('secrets', 'list'),
  SecretListVersions: p('secrets', 'list'),
  SecretDelete: p('secrets', 'delete'),
  SecretGetDeleted: p('secrets', 'get'),
  SecretListDeleted: p('secrets', 'list'),
  SecretRecover: p('secrets', 'recover'),
  SecretPurge: p('secrets', 'purge'),
  SecretBackup: p('secrets', 'backup'),
  SecretRestore: p('secrets', 'restore'),

  KeyCreate: p('keys', 'create'),
  KeyImport: p('keys', 'import'),
  KeyGet: p('keys', 'get'),
  KeyUpdate: p('keys', 'update'),
  KeyList: p('keys', 'list'),
  KeyListVersions: p('keys', 'list'),
  KeyDelete: p('keys', 'delete'),
  KeyGetDeleted: p('keys', 'get'),
  KeyListDeleted: p('keys', 'list'),
  KeyRecover: p('keys', 'recover'),
  KeyPurge: p('keys', 'purge'),
  KeyBackup: p('keys', 'backup'),
  KeyRestore: p('keys', 'restore'),
  KeyRotate: p('keys', 'rotate'),
  KeyRotationPolicyGet: p('keys', 'getrotationpolicy'),
  KeyRotationPolicySet: p('keys', 'setrotationpolicy'),
  KeyEncrypt: p('keys', 'encrypt'),
  KeyDecrypt: p('keys', 'decrypt'),
  KeyWrap: p('keys', 'wrapkey'),
  KeyUnwrap: p('keys', 'unwrapkey'),
  KeySign: p('keys', 'sign'),
  KeyVerify: p('keys', 'verify'),
  // Azure serves random bytes on Managed HSM only; here any caller who may read keys may ask for them.
  GetRandomBytes: p('keys', 'get'),

  CertificateCreate: p('certificates', 'create'),
  CertificatePendingGet: p('certificates', 'get'),
  CertificatePendingUpdate: p('certificates', 'update'),
  CertificatePendingDelete: p('certificates', 'update'),
  CertificatePendingMerge: p('certificates', 'create'),
  CertificateImport: p('certificates', 'import'),
  CertificateGet: p('certificates', 'get'),
  CertificateUpdate: p('certificates', 'update'),
  CertificateList: p('certificates', 'list'),
  CertificateListVersions: p('certificates', 'list'),
  CertificatePolicyGet: p('certificates', 'get'),
  CertificatePolicyUpdate: p('certificates', 'update'),
  CertificateDelete: p('certificates', 'delete'),
  CertificateGetDeleted: p('certificates', 'get'),
  CertificateListDeleted: p('certificates', 'list'),
  CertificateRecover: p('certificates', 'recover'),
  CertificatePurge: p('certificates', 'purge'),
  CertificateBackup: p('certificates', 'backup'),
  CertificateRestore: p('certificates', 'restore'),
  CertificateContactsGet: p('certificates', 'managecontacts'),
  CertificateContactsSet: p('certificates', 'managecontacts'),
  CertificateContactsDelete: p('certificates', 'managecontacts'),
  CertificateIssuersList: p('certificates', 'listissuers'),
  CertificateIssuerGet: p('certificates', 'getissuers'),
  CertificateIssuerSet: p('certificates', 'setissuers'),
  CertificateIssuerUpdate: p('certificates', 'setissuers'),
  CertificateIssuerDelete: p('certificates', 'deleteissuers'),
  CofferCertificateAuthorityGet: p('certificates', 'getissuers'),
};

/**
 * RBAC: data actions that also allow an operation. Public-key operations need no secret material, so Azure lets
 * `keys/read` encrypt, wrap and verify with an asymmetric key — and every key in a vault is asymmetric (`oct` keys
 * live in Managed HSM only).
 */
export const ALTERNATIVE_DATA_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  KeyEncrypt: ['Microsoft.KeyVault/vaults/keys/read'],
  KeyWrap: ['Microsoft.KeyVault/vaults/keys/read'],
  KeyVerify: ['Microsoft.KeyVault/vaults/keys/read'],
};
