// Coffer's directory objects in Microsoft Graph v1.0's JSON shapes: application (with passwordCredentials and
// keyCredentials, secrets never included), servicePrincipal, group, federatedIdentityCredential, and the members of a
// group as directoryObjects. Properties Coffer does not keep are given Graph's empty values, so clients that read
// them find what a fresh Entra object has. Pure.
import type { Application } from '../../../domain/identities/application.js';
import type { ApplicationView, DirectoryMember } from '../../../domain/identities/directory-service.js';
import type { CertificateCredential, ClientSecretCredential, FederatedCredential, Principal } from '../../../domain/identities/principal.js';
import type { Group } from '../../../store/access-control.js';

const iso = (seconds: number | null) => (seconds === null ? null : new Date(seconds * 1000).toISOString());

/** Graph's passwordCredential; `secretText` only in the addPassword answer. */
export function toPasswordCredential(secret: ClientSecretCredential, secretText: string | null = null) {
  return {
    customKeyIdentifier: null,
    displayName: secret.displayName,
    endDateTime: iso(secret.expiresAt),
    hint: secret.hint,
    keyId: secret.id,
    secretText,
    startDateTime: iso(secret.createdAt),
  };
}

/** Graph's keyCredential for a certificate: the key itself is never returned; customKeyIdentifier is the SHA-1 thumbprint (Edm.Binary, base64). */
export function toKeyCredential(certificate: CertificateCredential) {
  return {
    customKeyIdentifier: Buffer.from(certificate.thumbprintSha1, 'hex').toString('base64'),
    displayName: certificate.displayName,
    endDateTime: iso(certificate.notAfter),
    key: null,
    keyId: certificate.id,
    startDateTime: iso(certificate.notBefore),
    type: 'AsymmetricX509Cert',
    usage: 'Verify',
  };
}

export function toGraphApplication(view: ApplicationView) {
  const { application } = view;
  return {
    id: application.objectId,
    deletedDateTime: null,
    appId: application.appId,
    applicationTemplateId: null,
    createdDateTime: iso(application.createdAt),
    description: application.description,
    displayName: application.displayName,
    groupMembershipClaims: null,
    identifierUris: [],
    isDeviceOnlyAuthSupported: null,
    isFallbackPublicClient: null,
    notes: null,
    publisherDomain: null,
    serviceManagementReference: null,
    signInAudience: 'AzureADMyOrg',
    tags: [],
    tokenEncryptionKeyId: null,
    appRoles: [],
    keyCredentials: view.certificates.map(toKeyCredential),
    passwordCredentials: view.secrets.map((secret) => toPasswordCredential(secret)),
    requiredResourceAccess: [],
  };
}

/** A service principal: an application's (servicePrincipalType Application) or a managed identity's. */
export function toGraphServicePrincipal(principal: Principal, application: Application | undefined, tenantId: string) {
  const isManagedIdentity = principal.kind === 'managedIdentity';
  return {
    id: principal.objectId,
    deletedDateTime: null,
    accountEnabled: principal.enabled,
    alternativeNames: [],
    appDisplayName: application?.displayName ?? principal.displayName,
    appDescription: application?.description ?? null,
    appId: principal.appId,
    appOwnerOrganizationId: isManagedIdentity ? null : tenantId,
    appRoleAssignmentRequired: false,
    description: null,
    displayName: principal.displayName,
    homepage: null,
    loginUrl: null,
    logoutUrl: null,
    notes: null,
    notificationEmailAddresses: [],
    preferredSingleSignOnMode: null,
    servicePrincipalNames: [principal.appId],
    servicePrincipalType: isManagedIdentity ? 'ManagedIdentity' : 'Application',
    signInAudience: 'AzureADMyOrg',
    tags: [],
    appRoles: [],
    keyCredentials: [],
    oauth2PermissionScopes: [],
    passwordCredentials: [],
  };
}

export function toGraphGroup(group: Group) {
  const created = iso(group.createdAt);
  return {
    id: group.id,
    deletedDateTime: null,
    classification: null,
    createdDateTime: created,
    description: group.description ?? null,
    displayName: group.displayName,
    groupTypes: [],
    mail: null,
    mailEnabled: false,
    mailNickname: group.mailNickname ?? null,
    membershipRule: null,
    onPremisesSyncEnabled: null,
    proxyAddresses: [],
    renewedDateTime: created,
    securityEnabled: true,
    securityIdentifier: null,
    visibility: null,
  };
}

export function toFederatedIdentityCredential(credential: FederatedCredential) {
  return {
    id: credential.id,
    name: credential.name,
    issuer: credential.issuer,
    subject: credential.subject,
    description: credential.description,
    audiences: credential.audiences,
  };
}

/** A group member as Graph lists it: a directoryObject carrying its own type. */
export function toGraphMember(member: DirectoryMember, applicationOf: (principal: Principal) => Application | undefined, tenantId: string) {
  switch (member.kind) {
    case 'servicePrincipal':
      return { '@odata.type': '#microsoft.graph.servicePrincipal', ...toGraphServicePrincipal(member.principal, applicationOf(member.principal), tenantId) };
    case 'group':
      return { '@odata.type': '#microsoft.graph.group', ...toGraphGroup(member.group) };
    case 'unknown':
      return { '@odata.type': '#microsoft.graph.directoryObject', id: member.objectId, deletedDateTime: null };
  }
}

