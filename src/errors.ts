// One error class and the catalog of every error Coffer answers with. Codes and statuses follow Azure Key Vault;
// messages name what the caller sent and never carry a value, key material or a token.

export class CofferError extends Error {
  readonly status: number;
  readonly code: string;
  readonly innerCode: string | undefined;
  readonly headers: Record<string, string> | undefined;
  /** ARM errors only: the property the error is about ('properties.softDeleteRetentionInDays'). */
  readonly target: string | undefined;

  constructor(status: number, code: string, message: string, options: { innerCode?: string; headers?: Record<string, string>; target?: string } = {}) {
    super(message);
    this.name = 'CofferError';
    this.status = status;
    this.code = code;
    this.innerCode = options.innerCode;
    this.headers = options.headers;
    this.target = options.target;
  }
}

/** Raised while loading configuration or unlocking storage: the server refuses to start and prints the message. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** The OAuth 2.0 error shape (RFC 6749 §5.2) used by the token endpoint. */
export class OAuthError extends Error {
  readonly status: number;
  readonly error: string;
  readonly errorCodes: number[];

  constructor(status: number, error: string, description: string, errorCodes: number[] = []) {
    super(description);
    this.name = 'OAuthError';
    this.status = status;
    this.error = error;
    this.errorCodes = errorCodes;
  }
}

const fwlink = 'For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182';

export const errors = {
  badParameter: (message: string) => new CofferError(400, 'BadParameter', message),
  missingApiVersion: () => new CofferError(400, 'BadParameter', "The 'api-version' query parameter is required."),
  unsupportedApiVersion: (version: string, supported: readonly string[]) =>
    new CofferError(400, 'BadParameter', `The specified version (${version}) is not recognized. Consider using one of the supported versions: ${supported.join(', ')}.`),
  bodyTooLarge: (limitBytes: number) =>
    new CofferError(413, 'BadParameter', `The request body is larger than the limit of ${limitBytes} bytes.`),
  operationNotSupported: (method: string, path: string) =>
    new CofferError(400, 'BadParameter', `The operation '${method} ${path}' is not supported by this vault.`),

  unauthorizedMissingToken: () => new CofferError(401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.'),
  unauthorizedInvalidToken: (reason: string) => new CofferError(401, 'Unauthorized', reason),
  /** Azure's RBAC refusal; `vault` is 'NAME;location=LOCATION' and the resource is shown lower-cased, as Azure does. */
  forbiddenByRbac: (input: { caller: string; action: string; resource: string; vault: string }) =>
    new CofferError(
      403,
      'Forbidden',
      'Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n' +
        `Caller: ${input.caller}\r\nAction: '${input.action}'\r\nResource: '${input.resource.toLowerCase()}'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: ${input.vault}\r\n`,
      { innerCode: 'ForbiddenByRbac' },
    ),
  /** Azure's access-policy refusal, naming the missing permission (e.g. 'secrets get'). */
  forbiddenByPolicy: (input: { caller: string; permission: string; vault: string }) =>
    new CofferError(
      403,
      'Forbidden',
      `The user, group or application '${input.caller}' does not have ${input.permission} permission on key vault '${input.vault}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
      { innerCode: 'ForbiddenByPolicy' },
    ),

  forbiddenByFirewall: (message: string) => new CofferError(403, 'Forbidden', message, { innerCode: 'ForbiddenByFirewall' }),
  vaultNotFound: (host: string) => new CofferError(404, 'VaultNotFound', `No vault is served at host '${host}'.`),
  routeNotFound: (method: string, path: string) => new CofferError(404, 'NotFound', `There is no operation at '${method} ${path}'.`),

  secretNotFound: (name: string, version?: string) =>
    new CofferError(
      404,
      'SecretNotFound',
      version
        ? `A secret with (name/id) ${name}/${version} was not found in this key vault. ${fwlink}`
        : `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. ${fwlink}`,
    ),
  deletedSecretNotFound: (name: string) => new CofferError(404, 'SecretNotFound', `Deleted Secret not found: '${name}'.`),
  secretDisabled: (operation: string) =>
    new CofferError(403, 'Forbidden', `Operation ${operation} is not allowed on a disabled secret.`, { innerCode: 'SecretDisabled' }),
  secretDeletedButRecoverable: (name: string) =>
    new CofferError(
      409,
      'Conflict',
      `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
      { innerCode: 'ObjectIsDeletedButRecoverable' },
    ),
  secretManagedByKeyVault: (operation: string) =>
    new CofferError(403, 'Forbidden', `Operation "${operation}" is not allowed as this object's lifetime is managed by Key Vault.`, { innerCode: 'SecretManagedByKeyVault' }),
  secretAlreadyExists: (name: string) =>
    new CofferError(409, 'Conflict', `Secret ${name} already exists in this vault; delete and purge it before restoring a backup of it.`),
  keyNotFound: (name: string, version?: string) =>
    new CofferError(
      404,
      'KeyNotFound',
      version
        ? `A key with (name/id) ${name}/${version} was not found in this key vault. ${fwlink}`
        : `A key with (name/id) ${name} was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. ${fwlink}`,
    ),
  deletedKeyNotFound: (name: string) => new CofferError(404, 'KeyNotFound', `Deleted Key not found: '${name}'.`),
  keyDisabled: (operation: string) =>
    new CofferError(403, 'Forbidden', `Operation ${operation} is not allowed on a disabled key.`, { innerCode: 'KeyDisabled' }),
  keyOperationNotAllowed: (operation: string) =>
    new CofferError(403, 'Forbidden', `Operation ${operation} is not permitted by this key's key_ops.`, { innerCode: 'KeyOperationForbidden' }),
  keyExpired: (operation: string) =>
    new CofferError(403, 'Forbidden', `Operation ${operation} is not allowed on an expired key.`, { innerCode: 'KeyExpired' }),
  keyNotYetValid: (operation: string) =>
    new CofferError(403, 'Forbidden', `Operation ${operation} is not allowed before the key's activation date (nbf).`, { innerCode: 'KeyNotYetValid' }),
  keyDeletedButRecoverable: (name: string) =>
    new CofferError(
      409,
      'Conflict',
      `Key ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.`,
      { innerCode: 'ObjectIsDeletedButRecoverable' },
    ),
  keyManagedByKeyVault: (operation: string) =>
    new CofferError(403, 'Forbidden', `Operation "${operation}" is not allowed as this object's lifetime is managed by Key Vault.`, { innerCode: 'KeyManagedByKeyVault' }),
  keyAlreadyExists: (name: string) =>
    new CofferError(409, 'Conflict', `Key ${name} already exists in this vault; delete and purge it before restoring a backup of it.`),
  // Recorded (azure-sdk-for-js certificates recordings "can set, read and delete a certificate's contacts" and "can
  // create, read, and delete a certificate issuer"): Azure's exact messages, which the SDKs' own tests compare.
  contactsNotFound: () => new CofferError(404, 'ContactsNotFound', 'Contacts not found'),
  certificateIssuerNotFound: () => new CofferError(404, 'CertificateIssuerNotFound', 'Issuer not found'),
  certificateNotFound: (name: string, version?: string) =>
    new CofferError(
      404,
      'CertificateNotFound',
      version
        ? `A certificate with (name/id) ${name}/${version} was not found in this key vault. ${fwlink}`
        : `A certificate with (name/id) ${name} was not found in this key vault. If you recently deleted this certificate you may be able to recover it using the correct recovery command. ${fwlink}`,
    ),
  deletedCertificateNotFound: (name: string) => new CofferError(404, 'CertificateNotFound', `Deleted Certificate not found: '${name}'.`),
  certificateDeletedButRecoverable: (name: string) =>
    new CofferError(
      409,
      'Conflict',
      `Certificate ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the certificate can only be recovered or purged.`,
      { innerCode: 'ObjectIsDeletedButRecoverable' },
    ),
  certificateAlreadyExists: (name: string) =>
    new CofferError(409, 'Conflict', `Certificate ${name} already exists in this vault; delete and purge it before restoring a backup of it.`),
  certificateManagedByKeyVault: (operation: string) =>
    new CofferError(403, 'Forbidden', `Operation "${operation}" is not allowed on this certificate version.`),
  certificateOperationNotFound: (name: string) =>
    new CofferError(404, 'PendingCertificateNotFound', `Pending certificate not found: ${name}`),
  certificateOperationInProgress: (name: string) =>
    new CofferError(409, 'Conflict', `There is a pending operation on certificate ${name}; wait for it to complete, or cancel or delete it first.`),
  hsmKeysUnavailable: (kty: string) =>
    new CofferError(400, 'BadParameter', `Key type ${kty} needs an HSM key provider, and this server has none configured. Use ${kty.replace('-HSM', '')} for a software-protected key.`),
  purgeProtected: (name: string) =>
    new CofferError(
      403,
      'Forbidden',
      `Operation "purge" is not allowed on '${name}' because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed.`,
      { innerCode: 'PurgeProtectionEnabled' },
    ),
  malformedBackup: () => new CofferError(400, 'BadParameter', 'Backup blob contains invalid or corrupt data.'),
  backupWrongKind: (expected: string) => new CofferError(400, 'BadParameter', `Backup blob is not a ${expected} backup.`),
  tooManyVersionsToBackup: (limit: number) =>
    new CofferError(400, 'BadParameter', `The object has more than ${limit} versions and cannot be backed up.`),

  conflict: (message: string) => new CofferError(409, 'Conflict', message),
  vaultPurgeProtected: (name: string) =>
    new CofferError(405, 'MethodNotAllowed', `Operation 'DeletedVaultPurge' is not allowed. The vault '${name}' has purge protection enabled; it is purged when its retention period ends.`),
  internal: (requestId: string) =>
    new CofferError(500, 'InternalServerError', `The server encountered an internal error. Request id: ${requestId}.`),
};

export const oauthErrors = {
  invalidRequest: (description: string) => new OAuthError(400, 'invalid_request', description, [900144]),
  invalidClient: (description: string) => new OAuthError(401, 'invalid_client', description, [7000215]),
  unauthorizedClient: (description: string) => new OAuthError(400, 'unauthorized_client', description, [700016]),
  unsupportedGrantType: (grant: string) =>
    new OAuthError(400, 'unsupported_grant_type', `The grant type '${grant}' is not supported. Use 'client_credentials'.`, [70003]),
  invalidScope: (description: string) => new OAuthError(400, 'invalid_scope', description, [70011]),
  invalidResource: (resource: string) =>
    new OAuthError(400, 'invalid_resource', `The resource '${resource}' is not served by this token service.`, [500011]),
  invalidTenant: (tenant: string) => new OAuthError(400, 'invalid_request', `Tenant '${tenant}' not found.`, [90002]),
  applicationDisabled: (appId: string, displayName: string) =>
    new OAuthError(400, 'unauthorized_client', `Application '${appId}'(${displayName}) is disabled.`, [7000112]),
  /** An application registered through Graph whose service principal has not been created (or was deleted). */
  missingServicePrincipal: (appId: string, tenantId: string) =>
    new OAuthError(401, 'invalid_client', `The client application ${appId} is missing service principal in the tenant ${tenantId}.`, [7000229]),
  /** A client assertion that is not a JWT, or lacks a claim it needs. */
  malformedAssertion: (description: string) => new OAuthError(401, 'invalid_client', description, [50027]),
  /** The certificate is not registered, or the assertion's signature does not verify with it. */
  assertionSignature: (description: string) => new OAuthError(401, 'invalid_client', description, [700027]),
  assertionClientMismatch: () =>
    new OAuthError(401, 'invalid_client', "Client assertion application identifier doesn't match 'client_id' parameter.", [700021]),
  assertionTime: (description: string) => new OAuthError(401, 'invalid_client', description, [700024]),
  /** Entra's InvalidAssertion: wrong audience, too long a lifetime, or an assertion used twice. */
  invalidAssertion: (description: string) => new OAuthError(401, 'invalid_client', description, [50013]),
  federatedIssuerMismatch: (issuer: string) =>
    new OAuthError(401, 'invalid_client', `No matching federated identity record found for presented assertion issuer '${issuer}'.`, [700211]),
  federatedSubjectMismatch: (subject: string, issuer: string) =>
    new OAuthError(401, 'invalid_client', `No matching federated identity record found for presented assertion subject '${subject}'. The subject and issuer must match a federated identity credential of the application (issuer '${issuer}').`, [700213]),
  federatedAudienceMismatch: (audiences: string[]) =>
    new OAuthError(401, 'invalid_client', `No matching federated identity record found for presented assertion audience '${audiences.join(', ')}'.`, [700212]),
  externalIssuerUnavailable: (issuer: string) =>
    new OAuthError(401, 'invalid_client', `Request to External OIDC endpoint failed: the issuer '${issuer}' could not be reached or answered unusably.`, [50166]),
};

/** Principals and their credentials, as the CLI manages them; codes as Microsoft Graph answers them. */
export const credentialErrors = {
  principalNotFound: (clientId: string) =>
    new CofferError(404, 'Request_ResourceNotFound', `No principal has the client id '${clientId}'. 'coffer principal list' and 'coffer identity list' show them.`),
  notManagedIdentity: (clientId: string) => new CofferError(400, 'Request_BadRequest', `The principal '${clientId}' is not a managed identity.`),
  credentialNotFound: (kind: string, keyId: string, clientId: string) =>
    new CofferError(404, 'Request_ResourceNotFound', `The principal '${clientId}' has no ${kind} '${keyId}'.`),
  invalidCredential: (message: string) => new CofferError(400, 'Request_BadRequest', message),
  credentialExists: (message: string) => new CofferError(409, 'Request_BadRequest', message),
};

/** Microsoft Graph's errors (the directory under /v1.0): Graph's codes, and its wording where it is known. */
export const directoryErrors = {
  badRequest: (message: string) => new CofferError(400, 'Request_BadRequest', message),
  notFound: (id: string) => new CofferError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`),
  invalidObjectId: (id: string) => new CofferError(400, 'Request_BadRequest', `Invalid object identifier '${id}'.`),
  unsupportedQuery: (message: string) => new CofferError(400, 'Request_UnsupportedQuery', message),
  propertyNotSupported: (property: string, type: string) =>
    new CofferError(400, 'Request_BadRequest', `Property '${property}' of resource '${type}' is not supported by this server.`),
  readOnlyProperty: (property: string, hint: string) => new CofferError(400, 'Request_BadRequest', `Property '${property}' cannot be changed this way. ${hint}`),
  operationNotServed: (method: string, path: string) =>
    new CofferError(400, 'BadRequest', `The Microsoft Graph request '${method} ${path}' is not served by this server (it serves applications, servicePrincipals and groups).`),
  missingToken: (headers: Record<string, string>) => new CofferError(401, 'InvalidAuthenticationToken', 'Access token is empty.', { headers }),
  invalidToken: (detail: string, headers: Record<string, string>) =>
    new CofferError(401, 'InvalidAuthenticationToken', `Access token validation failure. ${detail}`, { headers }),
  /** The caller lacks a directory action (http/graph/directory-rights.ts). */
  requestDenied: (action: string) =>
    new CofferError(403, 'Authorization_RequestDenied', `Insufficient privileges to complete the operation. The caller needs '${action}' at the root scope '/'.`),
  applicationNotFoundForServicePrincipal: (appId: string) =>
    new CofferError(400, 'Request_BadRequest', `The appId '${appId}' of the service principal does not reference a valid application object.`),
  servicePrincipalExists: (appId: string) =>
    new CofferError(409, 'Request_MultipleObjectsWithSameKeyValue', `The service principal cannot be created, updated, or restored because the service principal name ${appId} is already in use.`),
  memberExists: () => new CofferError(400, 'Request_BadRequest', "One or more added object references already exist for the following modified properties: 'members'."),
  invalidReference: (value: string) =>
    new CofferError(400, 'Request_BadRequest', `Invalid URL format specified in @odata.id: '${value}'. Name the member as https://graph.microsoft.com/v1.0/directoryObjects/{id}.`),
  /** Objects Coffer depends on that Graph callers may not delete or change this way. */
  protectedObject: (message: string) => new CofferError(400, 'Request_BadRequest', message),
};

/** What a log may say about a failure: the error's code or name and its message, never a value or key material. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof CofferError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: error.name, message: error.message };
  return { code: 'Unknown', message: String(error) };
}

const VAULT_NAME_RULE =
  "A vault's name must be between 3-24 alphanumeric characters. The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens.";

/** The management API's errors: ARM's codes and messages for Microsoft.KeyVault (notes/arm-brief: Azure's own wording where known). */
export const armErrors = {
  missingApiVersion: () => new CofferError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.'),
  unsupportedApiVersion: (version: string, supported: readonly string[]) =>
    new CofferError(400, 'InvalidApiVersionParameter', `The api-version '${version}' is invalid. The supported versions are '${supported.join(',')}'.`),
  authenticationFailed: (detail: string) => new CofferError(401, 'AuthenticationFailed', `Authentication failed. ${detail}`),
  authorizationFailed: (objectId: string, action: string, scope: string) =>
    new CofferError(
      403,
      'AuthorizationFailed',
      `The client '${objectId}' with object id '${objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid.`,
    ),
  invalidSubscriptionId: (id: string) => new CofferError(400, 'InvalidSubscriptionId', `The provided subscription identifier '${id}' is malformed or invalid.`),
  resourceGroupNotFound: (group: string) => new CofferError(404, 'ResourceGroupNotFound', `Resource group '${group}' could not be found.`),
  invalidResourceGroup: (group: string) =>
    new CofferError(400, 'InvalidResourceGroup', `The provided resource group name '${group}' has these invalid characters or length: 1-90 letters, digits, '-', '_', '.', '(' and ')', not ending in '.'.`),
  resourceNotFound: (name: string, group: string) =>
    new CofferError(404, 'ResourceNotFound', `The Resource 'Microsoft.KeyVault/vaults/${name}' under resource group '${group}' was not found.`),
  deletedVaultNotFound: (name: string) => new CofferError(404, 'DeletedVaultNotFound', `The deleted vault '${name}' does not exist.`),
  operationNotFound: (method: string, path: string) =>
    new CofferError(404, 'NotFound', `There is no management operation at '${method} ${path}'.`),
  vaultNameNotValid: (name: string) =>
    new CofferError(400, 'VaultNameNotValid', `The vault name '${name}' is invalid. ${VAULT_NAME_RULE}`, { target: 'name' }),
  vaultAlreadyExists: (name: string) =>
    new CofferError(
      409,
      'VaultAlreadyExists',
      `The vault name '${name}' is already in use. Vault names are unique on this server, so the name may be taken in another resource group or subscription.`,
    ),
  vaultDeletedButRecoverable: () =>
    new CofferError(409, 'ConflictError', 'A vault with the same name already exists in deleted state. You need to either recover or purge existing key vault.'),
  softDeletedVaultDoesNotExist: () =>
    new CofferError(
      400,
      'SoftDeletedVaultDoesNotExist',
      'A soft deleted vault with the given name does not exist. Ensure that the name for the vault that is being attempted to recover is in a recoverable state.',
    ),
  /** A property with a value ARM refuses; `target` names it. */
  badRequest: (target: string, message: string) => new CofferError(400, 'BadRequest', message, { target }),
};

/** Access control (Microsoft.Authorization): ARM's codes for role definitions, assignments and groups. */
export const accessErrors = {
  roleDefinitionDoesNotExist: (id: string) => new CofferError(400, 'RoleDefinitionDoesNotExist', `The specified role definition with ID '${id}' does not exist.`),
  roleDefinitionNotFound: () => new CofferError(404, 'RoleDefinitionDoesNotExist', 'The specified role definition does not exist.'),
  roleAssignmentExists: () => new CofferError(409, 'RoleAssignmentExists', 'The role assignment already exists.'),
  roleAssignmentNotFound: () => new CofferError(404, 'RoleAssignmentNotFound', 'The role assignment does not exist.'),
  principalNotFound: (id: string) =>
    new CofferError(400, 'PrincipalNotFound', `Principal ${id.replace(/-/g, '')} does not exist in the directory. Check that you have the correct principal ID.`),
  invalidScope: (scope: string) =>
    new CofferError(400, 'InvalidRoleAssignmentScope', `The scope '${scope}' is not valid: use '/', /subscriptions/{id}, a resource group, a vault, or one secret, key or certificate of a vault.`),
  scopeNotAssignable: (roleName: string, scope: string) =>
    new CofferError(400, 'RoleAssignmentScopeNotAssignableToRoleDefinition', `The role '${roleName}' is not available to be assigned at the scope '${scope}'.`),
  invalidRoleDefinition: (message: string) => new CofferError(400, 'InvalidRoleDefinition', message),
  roleDefinitionInUse: () => new CofferError(409, 'RoleDefinitionHasAssignments', 'There are existing role assignments referencing role.'),
  roleDefinitionNotEditable: () => new CofferError(400, 'RoleDefinitionNotEditable', 'A built-in role definition cannot be changed or deleted.'),
  groupNotFound: (id: string) => new CofferError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`),
  invalidMember: (message: string) => new CofferError(400, 'Request_BadRequest', message),
  eligibilityNotFound: () => new CofferError(404, 'RoleEligibilityScheduleNotFound', 'The role eligibility schedule does not exist.'),
  activationTooLong: (maxSeconds: number) =>
    new CofferError(400, 'RoleAssignmentRequestPolicyValidationFailed', `The requested activation is longer than the maximum allowed (${maxSeconds} seconds).`),
  justificationRequired: () => new CofferError(400, 'JustificationRule', 'A justification is required to activate a role.'),
};

/** The Microsoft.Authorization API's own refusals (role assignments and the PIM schedule requests), ARM's codes. */
export const authorizationApiErrors = {
  invalidRoleAssignmentId: (name: string) =>
    new CofferError(400, 'InvalidRoleAssignmentId', `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`),
  invalidRoleDefinitionId: (name: string) =>
    new CofferError(400, 'InvalidRoleDefinitionId', `The role definition ID '${name}' is not valid. The role definition ID must be a GUID.`),
  /** Azure lets a PUT of an existing assignment change only its description and condition; Coffer lets it change nothing. */
  roleAssignmentUpdateNotPermitted: () =>
    new CofferError(400, 'RoleAssignmentUpdateNotPermitted', 'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.'),
  conditionNotSupported: () =>
    new CofferError(400, 'InvalidCondition', 'Role assignment conditions (ABAC) are not supported by this server; leave condition and conditionVersion out.', { target: 'properties.condition' }),
  requestTypeNotSupported: (requestType: string, supported: readonly string[]) =>
    new CofferError(400, 'InvalidRequestType', `The request type '${requestType}' is not supported here; use one of: ${supported.join(', ')}.`, { target: 'properties.requestType' }),
  scheduleRequestNotFound: (kind: string, name: string) => new CofferError(404, `${kind}NotFound`, `The ${kind} '${name}' does not exist.`),
  scheduleNotFound: (kind: string, name: string) => new CofferError(404, `${kind}NotFound`, `The ${kind} '${name}' does not exist.`),
  /** Requests take effect at once here, so none is ever pending, which is the only state Azure cancels. */
  requestNotCancellable: (name: string) =>
    new CofferError(400, 'InvalidRequestState', `The request '${name}' has already been provisioned; only pending requests can be cancelled. Remove its result with AdminRemove or SelfDeactivate.`),
  notTheRequestor: () =>
    new CofferError(403, 'AuthorizationFailed', 'A SelfActivate or SelfDeactivate request must name the caller itself as principalId.', { target: 'properties.principalId' }),
  activationNotFound: () => new CofferError(404, 'ActiveRoleAssignmentNotFound', 'The caller has no active just-in-time assignment of this role at this scope.'),
};

/** Microsoft.ManagedIdentity (user-assigned identities and their federated credentials): ARM's codes and wording. */
export const identityResourceErrors = {
  invalidName: (name: string) =>
    new CofferError(
      400,
      'InvalidResourceName',
      `The resource name '${name}' is invalid. A user-assigned identity's name is 3-128 characters: letters, digits, '-' and '_', starting with a letter or digit.`,
      { target: 'name' },
    ),
  locationRequired: () => new CofferError(400, 'LocationRequired', 'The location property is required for this definition.', { target: 'location' }),
  locationNotAvailable: (location: string) =>
    new CofferError(
      400,
      'LocationNotAvailableForResourceType',
      `The provided location '${location}' is not available for resource type 'Microsoft.ManagedIdentity/userAssignedIdentities'. A location is a region name of letters and digits, such as 'westeurope' or 'eastus2'.`,
      { target: 'location' },
    ),
  locationCannotChange: (name: string, group: string, existing: string, requested: string) =>
    new CofferError(
      409,
      'InvalidResourceLocation',
      `The resource '${name}' already exists in location '${existing}' in resource group '${group}'. A resource with the same name cannot be created in location '${requested}'. Please select a new resource name.`,
      { target: 'location' },
    ),
  identityNotFound: (name: string, group: string) =>
    new CofferError(404, 'ResourceNotFound', `The Resource 'Microsoft.ManagedIdentity/userAssignedIdentities/${name}' under resource group '${group}' was not found.`),
  /** ARM's answer for a child of a resource that does not exist (a federated credential of a missing identity). */
  parentNotFound: (name: string) =>
    new CofferError(404, 'ParentResourceNotFound', `Can not perform requested operation on nested resource. Parent resource '${name}' not found.`),
  federatedCredentialNotFound: (identity: string, name: string, group: string) =>
    new CofferError(
      404,
      'ResourceNotFound',
      `The Resource 'Microsoft.ManagedIdentity/userAssignedIdentities/${identity}/federatedIdentityCredentials/${name}' under resource group '${group}' was not found.`,
    ),
  tooManyFederatedCredentials: (max: number) =>
    new CofferError(400, 'BadRequest', `Too many Federated Identity Credentials are written to this Managed Identity: at most ${max} are allowed.`, { target: 'name' }),
};
