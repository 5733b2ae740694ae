// First start: the default vault and the administrator service principal, whose credentials are written to
// <data dir>/admin-credentials.json (mode 0600) — the only place the administrator's secret ever exists in clear.
import { randomUUID } from 'node:crypto';
import { open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { ROLE_IDS } from './auth/roles/built-in-roles.js';
import { unixSeconds, type Clock } from './clock.js';
import type { PrincipalService } from './domain/identities/principal-service.js';
import type { AccessControlStore } from './store/access-control.js';
import { DEFAULT_VAULT_NAME } from './domain/vaults/vault.js';
import type { VaultService } from './domain/vaults/vault-service.js';
import type { MetaStore } from './store/meta.js';

export const ADMIN_CREDENTIALS_FILE = 'admin-credentials.json';

export interface AdminCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  authorityHost: string;
  vaultUrl: string;
  caCertPath: string;
}

export async function ensureDefaultVault(vaults: VaultService): Promise<void> {
  if (!(await vaults.getVault(DEFAULT_VAULT_NAME))) await vaults.createVault({ name: DEFAULT_VAULT_NAME });
}

/**
 * Creates the administrator once. Its id is recorded only after the credentials file is durable, so a crash in
 * between makes the next start create a fresh administrator (the orphan's secret was never shown to anyone).
 */
export async function ensureAdministrator(deps: {
  dataDir: string;
  meta: MetaStore;
  principals: PrincipalService;
  endpoints: { authorityHost: string; vaultUrl: string; caCertPath: string };
  tenantId: string;
  logger: Logger;
}): Promise<void> {
  const file = path.join(deps.dataDir, ADMIN_CREDENTIALS_FILE);
  const adminId = await deps.meta.getMeta('admin_object_id');
  if (adminId === undefined) {
    const { principal, clientSecret } = await deps.principals.createServicePrincipal({ displayName: 'Coffer administrator', isAdmin: true });
    await writeCredentialsFile(file, { tenantId: deps.tenantId, clientId: principal.appId, clientSecret, ...deps.endpoints });
    await deps.meta.insertMetaOnce('admin_object_id', principal.objectId);
    return;
  }
  // Later starts keep the file's endpoints true to the current port and certificate; the secret is left as it is.
  let current: AdminCredentials;
  try {
    current = JSON.parse(await readFile(file, 'utf8')) as AdminCredentials;
  } catch {
    // Normal for a node that joined a shared store: the node that first started on it holds the file.
    deps.logger.warn({ file }, 'no administrator credentials file in this data directory (another node sharing the store may hold it); its secret cannot be shown again');
    return;
  }
  const updated = { ...current, ...deps.endpoints };
  if (JSON.stringify(updated) !== JSON.stringify(current)) await writeCredentialsFile(file, updated);
}

/**
 * Gives the administrator its rights as role assignments at the root scope, once: Owner (manage everything,
 * including role assignments) and Key Vault Administrator (every data action in RBAC vaults). Recorded in the
 * server meta, so an operator who removes them (least privilege: no standing administrator) is not overruled at the
 * next start. Vaults using access policies follow their policies, for the administrator too.
 */
export async function ensureAdministratorRoles(deps: { meta: MetaStore; accessControl: AccessControlStore; clock: Clock }): Promise<void> {
  const adminId = await deps.meta.getMeta('admin_object_id');
  if (adminId === undefined || (await deps.meta.getMeta('admin_roles_granted')) !== undefined) return;
  const createdAt = unixSeconds(deps.clock);
  for (const roleDefinitionId of [ROLE_IDS.owner, ROLE_IDS.keyVaultAdministrator]) {
    await deps.accessControl.insertAssignment({
      id: randomUUID(), scope: '/', roleDefinitionId, principalId: adminId, principalType: 'ServicePrincipal',
      description: 'Granted to the administrator at first start', createdAt, createdBy: undefined, expiresAt: undefined, eligibilityId: undefined, justification: undefined,
    });
  }
  await deps.meta.insertMetaOnce('admin_roles_granted', String(createdAt));
}

async function writeCredentialsFile(file: string, credentials: AdminCredentials): Promise<void> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(credentials, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}
