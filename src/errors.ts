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
  forbiddenByRbac: (action: string, caller: string, vaultName: string) =>
    new CofferError(
      403,
      'Forbidden',
      `Caller is not authorized to perform action on resource.\r\nCaller: ${caller}\r\nAction: '${action}'\r\nVault: ${vaultName}`,
      { innerCode: 'ForbiddenByRbac' },
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
