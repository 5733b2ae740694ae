// Who is calling: the principal a verified token names. Kept apart from tokens so that later identity sources
// (external OIDC issuers, managed identities) produce the same shape.

export interface Principal {
  tenantId: string;
  objectId: string;
  appId: string;
  displayName: string;
  kind: 'servicePrincipal';
  /** The administrator created at first start. Until access control lands, only it may use the data plane. */
  isAdmin: boolean;
  /**
   * Counts as a trusted service (Azure's first-party services): a vault whose networkAcls.bypass is AzureServices lets
   * it through its firewall. Marked by the administrator (`coffer principal create --trusted-service`).
   */
  isTrustedService: boolean;
  /** A disabled principal gets no tokens, and tokens it holds are refused at once. */
  enabled: boolean;
}

export interface ClientSecretCredential {
  id: string;
  principalId: string;
  secretHash: string;
  hint: string;
  createdAt: number;
  expiresAt: number | null;
}
