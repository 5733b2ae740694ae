// The one Database type for SQLite and PostgreSQL. Portable column types only: text ids, integer 0/1 flags,
// integer Unix seconds, JSON as text, bytes as blob/bytea (both arrive as Buffer).
import type { Generated } from 'kysely';

export interface Database {
  certificate_policies: CertificatePoliciesTable;
  certificate_operations: CertificateOperationsTable;
  certificate_authorities: CertificateAuthoritiesTable;
  server_meta: ServerMetaTable;
  vaults: VaultsTable;
  objects: ObjectsTable;
  object_versions: ObjectVersionsTable;
  principals: PrincipalsTable;
  credentials: CredentialsTable;
  signing_keys: SigningKeysTable;
  audit_events: AuditEventsTable;
  rotation_policies: RotationPoliciesTable;
  event_outbox: EventOutboxTable;
  certificate_contacts: CertificateContactsTable;
  certificate_issuers: CertificateIssuersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  role_definitions: RoleDefinitionsTable;
  role_assignments: RoleAssignmentsTable;
  role_eligibilities: RoleAssignmentsTable;
  certificate_credentials: CertificateCredentialsTable;
  federated_credentials: FederatedCredentialsTable;
  managed_identities: ManagedIdentitiesTable;
  applications: ApplicationsTable;
  user_assigned_identities: UserAssignedIdentitiesTable;
  used_assertions: UsedAssertionsTable;
}

/** Client assertions already exchanged, by a hash of client id, jti and resource, until they expire. */
export interface UsedAssertionsTable {
  key: string;
  expires_at: number;
}

/** Server-wide facts fixed at first start: tenant id, subscription id, master-key check value. */
export interface ServerMetaTable {
  key: string;
  value: string;
}

export interface VaultsTable {
  id: string;
  /** Lower-case vault name: the DNS label that selects it. */
  name: string;
  created_at: number;
  retention_days: number;
  purge_protection: number;
  /** The vault's data-encryption key, wrapped by the master key. */
  wrapped_key: Buffer;
  subscription_id: string;
  resource_group: string;
  location: string;
  /** VaultSettings as JSON. */
  settings: string;
  updated_at: number;
  deleted_at: number | null;
  scheduled_purge_at: number | null;
}

export interface ObjectsTable {
  id: string;
  vault_id: string;
  /** 'secret' | 'key' | 'certificate' */
  kind: string;
  /** The name as first created (Azure keeps the caller's case). */
  name: string;
  /** Lower-case name: uniqueness and keyset paging, since Azure names are case-insensitive. */
  name_key: string;
  current_version: string;
  created_at: number;
  updated_at: number;
  /** Null while active; Unix seconds of the soft delete otherwise. */
  deleted_at: number | null;
  scheduled_purge_at: number | null;
}

export interface ObjectVersionsTable {
  object_id: string;
  version: string;
  /** Creation order within the object (versions are random hex, so they cannot order themselves). */
  seq: number;
  enabled: number;
  not_before: number | null;
  expires: number | null;
  created_at: number;
  updated_at: number;
  content_type: string | null;
  /** JSON object of tags, or null. */
  tags: string | null;
  /** The sensitive bytes (secret value), sealed by the envelope; bound to vault, object and version. */
  sealed_value: Buffer;
  /** JSON object of the kind's own public, non-secret properties (keys: kty, key_ops, public JWK), or null. */
  properties: string | null;
}

export interface PrincipalsTable {
  /** The object id (`oid` claim). */
  id: string;
  tenant_id: string;
  /** The application (client) id (`appid` claim). */
  app_id: string;
  display_name: string;
  /** 'servicePrincipal' for now; managed identities and users come later. */
  kind: string;
  is_admin: number;
  /** 1: a trusted service, let through a vault firewall whose bypass is AzureServices. */
  trusted_service: number;
  /** 0: disabled, refused tokens and access at once. */
  enabled: number;
  created_at: number;
  /**
   * 0: the credential holder of an application whose service principal does not exist (not created yet through Graph,
   * or deleted): it gets no tokens (AADSTS7000229). 1 for every other principal (migration 0010), the default.
   */
  has_service_principal: Generated<number>;
}

/** Applications (Microsoft Graph's application objects); their credentials hang off the principals row with their app_id. */
export interface ApplicationsTable {
  /** The application's object id. */
  id: string;
  app_id: string;
  display_name: string;
  description: string | null;
  created_at: number;
}

export interface GroupsTable {
  id: string;
  tenant_id: string;
  display_name: string;
  description: string | null;
  mail_nickname: string | null;
  created_at: number;
}

export interface GroupMembersTable {
  group_id: string;
  /** A principal's or a group's object id. */
  member_id: string;
  created_at: number;
}

/** Custom roles; the built-in ones are in code (auth/roles/built-in-roles.ts). */
export interface RoleDefinitionsTable {
  id: string;
  role_name: string;
  description: string;
  /** JSON [{actions, notActions, dataActions, notDataActions}] */
  permissions: string;
  /** JSON string[] */
  assignable_scopes: string;
  created_at: number;
  updated_at: number;
  created_by: string | null;
}

/** Role assignments, and (same shape) eligible assignments that a principal may activate for a while. */
export interface RoleAssignmentsTable {
  id: string;
  scope: string;
  /** The scope lower-cased without a trailing slash, for matching. */
  scope_key: string;
  role_definition_id: string;
  principal_id: string;
  principal_type: string;
  description: string | null;
  created_at: number;
  created_by: string | null;
  expires_at: number | null;
  eligibility_id: string | null;
  justification: string | null;
  max_activation_seconds: number | null;
}

export interface CredentialsTable {
  id: string;
  principal_id: string;
  /** 'clientSecret' */
  kind: string;
  /** Encoded salted hash of the secret; the secret itself is never stored. */
  secret_hash: string;
  /** First three characters of the secret, as Entra shows them, to tell credentials apart. */
  hint: string;
  created_at: number;
  expires_at: number | null;
  /** Shown to administrators (Entra's passwordCredential displayName); null when none was given. */
  display_name: string | null;
}

export interface SigningKeysTable {
  kid: string;
  /** PKCS#8 DER of the RSA private key, sealed under the master key. */
  sealed_private_key: Buffer;
  /** Public JWK as JSON text. */
  public_jwk: string;
  created_at: number;
  /** Unix seconds after which the key no longer signs (it is still published until retired_at). */
  retired_at: number | null;
}

export interface AuditEventsTable {
  id: Generated<number>;
  time: string;
  vault_name: string;
  operation_name: string;
  http_status: number;
  caller_oid: string | null;
  /** The full Azure AuditEvent record as JSON text. */
  record: string;
}

/** A key's rotation policy, one per key, with the times the rotation scheduler next has work for it. */
export interface RotationPoliciesTable {
  vault_id: string;
  /** Lower-case key name, as objects.name_key. */
  name_key: string;
  /** The key object (objects.id); purging the key deletes the policy. */
  object_id: string;
  /** JSON text of the policy: lifetime actions and expiryTime, ISO 8601 durations as the caller sent them. */
  policy: string;
  created_at: number;
  updated_at: number;
  /** Unix seconds at which the current version is due to rotate, or null for never. */
  next_rotate_at: number | null;
  /** Unix seconds at which the current version is due a near-expiry event, or null for never. */
  next_notify_at: number | null;
  /** The version a near-expiry event was last recorded for: one event per version. */
  notified_version: string | null;
  /** The current version, its expiry and its enabled flag as they were when the next-due times were computed. */
  basis_version: string | null;
  basis_expires: number | null;
  basis_enabled: number | null;
}

/** Events waiting for delivery (Event Grid shape), written in the step that caused them. */
export interface EventOutboxTable {
  id: string;
  vault_id: string;
  /** e.g. 'Microsoft.KeyVault.KeyNearExpiry' */
  event_type: string;
  /** The object name, as Event Grid's subject. */
  subject: string;
  /** JSON text of Azure's PascalCase data: Id, VaultName, ObjectType, ObjectName, Version, NBF, EXP. */
  data: string;
  created_at: number;
  delivered_at: number | null;
}

/** A vault's certificate contacts (SetCertificateContacts): one row per vault that has any. */
export interface CertificateContactsTable {
  vault_id: string;
  /** JSON text: array of { email, name?, phone? }. */
  contacts: string;
  updated_at: number;
}

/** A vault's certificate issuers (SetCertificateIssuer): the provider and what the vault tells it about itself. */
export interface CertificateIssuersTable {
  vault_id: string;
  /** Lower-case issuer name: issuer names are case-insensitive like object names. */
  name_key: string;
  /** The name as first set (the caller's case). */
  name: string;
  /** Random id given when the issuer is created; binds the sealed password to this issuer (envelope AAD). */
  id: string;
  provider: string;
  /** The account id at the provider, or null. Not secret: Azure returns it. */
  account_id: string | null;
  /** The provider password, sealed by the vault envelope; null when none was given. Never stored or returned in clear. */
  sealed_password: Buffer | null;
  /** JSON text of the organization details ({ id?, admins? }), or null. */
  org_details: string | null;
  enabled: number;
  created_at: number;
  updated_at: number;
}

/** The current issuance policy of a certificate name (JSON of domain/certificates/certificate-policy.ts). */
export interface CertificatePoliciesTable {
  vault_id: string;
  name_key: string;
  policy: string;
  created_at: number;
  updated_at: number;
}

/** The one pending create operation of a certificate name. */
export interface CertificateOperationsTable {
  vault_id: string;
  name_key: string;
  name: string;
  request_id: string;
  status: string;
  status_details: string | null;
  issuer_name: string;
  csr: Buffer | null;
  cancellation_requested: number;
  error: string | null;
  version: string;
  policy: string;
  version_attributes: string;
  sealed_key: Buffer | null;
  created_at: number;
  updated_at: number;
}

/** A vault's built-in CA: its certificate and its private key, sealed. */
export interface CertificateAuthoritiesTable {
  vault_id: string;
  certificate: Buffer;
  sealed_key: Buffer;
  created_at: number;
}

/** Public certificates whose private keys sign a principal's client assertions (Entra's keyCredentials). */
export interface CertificateCredentialsTable {
  /** The keyId. */
  id: string;
  principal_id: string;
  display_name: string | null;
  /** DER of the public certificate. */
  certificate: Buffer;
  /** Upper-case hex. */
  thumbprint_sha1: string;
  thumbprint_sha256: string;
  not_before: number;
  not_after: number;
  created_at: number;
}

/** Workload identity federation: tokens of an external issuer a principal accepts as client assertions. */
export interface FederatedCredentialsTable {
  id: string;
  principal_id: string;
  name: string;
  issuer: string;
  subject: string;
  /** JSON array of strings. */
  audiences: string;
  description: string | null;
  created_at: number;
}

/** Managed identities: the salted hash of the IDENTITY_HEADER their workload presents, and their IMDS addresses. */
export interface ManagedIdentitiesTable {
  principal_id: string;
  /** Public first part of the header; finds the row. */
  header_lookup_id: string;
  /** Salted hash (auth/client-secret.ts) of the header's secret part. */
  header_hash: string;
  /** JSON array of addresses or CIDRs; '[]' for none. */
  imds_addresses: string;
  created_at: number;
  updated_at: number;
}

/** User-assigned managed identities made through ARM: what the resource names beyond its principal (migration 0011). */
export interface UserAssignedIdentitiesTable {
  /** The identity's principal (kind 'managedIdentity'): its object id. */
  principal_id: string;
  /** Lower-case GUID. */
  subscription_id: string;
  /** As the caller spelled it. */
  resource_group: string;
  /** Lower-case resource group: ARM compares names without regard to case. */
  resource_group_key: string;
  name: string;
  /** Lower-case name. */
  name_key: string;
  location: string;
  /** JSON object of strings. */
  tags: string;
  /** 'None' | 'Regional', or null when never set. */
  isolation_scope: string | null;
  created_by: string | null;
  updated_by: string | null;
  created_at: number;
  updated_at: number;
}
