// Who is calling: the principal a verified token names, and the credentials principals of the built-in tenant prove
// themselves with. Principals from our own table and callers from external issuers take the same shape, so that
// authorization matches both by object id.

export type PrincipalKind =
  /** An application's service principal in the built-in tenant (client secrets, certificates, federated credentials). */
  | 'servicePrincipal'
  /** A workload's identity, served at the managed-identity endpoints (coffer identity create). */
  | 'managedIdentity'
  /** A caller whose token a configured external OIDC issuer signed; it is not in our principals table. */
  | 'external';

export interface Principal {
  tenantId: string;
  objectId: string;
  appId: string;
  displayName: string;
  kind: PrincipalKind;
  /** Only for kind 'external': the issuer (iss) that vouched for it. */
  issuer?: string;
  /**
   * The administrator created at first start. Its rights are ordinary role assignments (bootstrap.ts); only Coffer's own
   * actions (`Coffer/...`, the development clock) look at this flag.
   */
  isAdmin: boolean;
  /**
   * Counts as a trusted service (Azure's first-party services): a vault whose networkAcls.bypass is AzureServices lets
   * it through its firewall. Marked by the administrator (`coffer principal create --trusted-service`).
   */
  isTrustedService: boolean;
  /** A disabled principal gets no tokens, and tokens it holds are refused at once. */
  enabled: boolean;
  /**
   * False for the credential holder of an application registered through Microsoft Graph whose service principal does
   * not exist (yet, or any more): it holds the application's credentials but gets no tokens. Absent or true otherwise.
   */
  hasServicePrincipal?: boolean;
}

export interface ClientSecretCredential {
  /** The keyId. */
  id: string;
  principalId: string;
  secretHash: string;
  hint: string;
  displayName: string | null;
  createdAt: number;
  expiresAt: number | null;
}

export interface CertificateCredential {
  /** The keyId. */
  id: string;
  principalId: string;
  displayName: string | null;
  /** DER of the public certificate. */
  certificate: Buffer;
  /** Upper-case hex SHA-1 of the DER (Entra's customKeyIdentifier; the x5t header names it in base64url). */
  thumbprintSha1: string;
  /** Upper-case hex SHA-256 of the DER (the x5t#S256 header names it in base64url). */
  thumbprintSha256: string;
  notBefore: number;
  notAfter: number;
  createdAt: number;
}

export interface FederatedCredential {
  id: string;
  principalId: string;
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
  description: string | null;
  createdAt: number;
}

export interface ManagedIdentity {
  principalId: string;
  headerLookupId: string;
  headerHash: string;
  /** Addresses or CIDRs whose IMDS-style requests without a header get this identity. */
  imdsAddresses: string[];
  createdAt: number;
  updatedAt: number;
}
