// Managed identities of workloads: a principal of kind 'managedIdentity' plus the IDENTITY_HEADER its workload
// presents (shown once; only a salted hash of its secret part is stored), and optionally the addresses whose IMDS-style
// requests (which carry no secret) get this identity. Disabling is a principal's (principal-service.ts setEnabled).
import { randomUUID } from 'node:crypto';
import { generateIdentityHeader } from '../../auth/managed-identity-header.js';
import { unixSeconds, type Clock } from '../../clock.js';
import { credentialErrors } from '../../errors.js';
import { InvalidIpRuleError, parseIpRule } from '../../network/ip-rules.js';
import type { IdentityStore } from '../../store/identities.js';
import type { ManagedIdentityStore } from '../../store/managed-identities.js';
import type { ManagedIdentity, Principal } from './principal.js';

export type ManagedIdentityService = ReturnType<typeof createManagedIdentityService>;

export function createManagedIdentityService(deps: {
  identities: Pick<IdentityStore, 'getPrincipalByAppId' | 'listPrincipals'>;
  managedIdentities: ManagedIdentityStore;
  tenantId: string;
  clock: Clock;
}) {
  async function identityOf(clientId: string): Promise<{ principal: Principal; identity: ManagedIdentity }> {
    const principal = await deps.identities.getPrincipalByAppId(clientId);
    if (!principal) throw credentialErrors.principalNotFound(clientId);
    const identity = principal.kind === 'managedIdentity' ? await deps.managedIdentities.getManagedIdentity(principal.objectId) : undefined;
    if (!identity) throw credentialErrors.notManagedIdentity(clientId);
    return { principal, identity };
  }

  /** A new managed identity's principal, row and IDENTITY_HEADER, not stored yet; the caller checks the name by its own rules. */
  async function prepareManagedIdentity(input: { displayName: string; imdsAddresses?: string[] }): Promise<{ principal: Principal; identity: ManagedIdentity; identityHeader: string }> {
    const imdsAddresses = normalizeAddresses(input.imdsAddresses ?? []);
    const now = unixSeconds(deps.clock);
    const principal: Principal = {
      tenantId: deps.tenantId,
      objectId: randomUUID(),
      appId: randomUUID(),
      displayName: input.displayName,
      kind: 'managedIdentity',
      isAdmin: false,
      isTrustedService: false,
      enabled: true,
    };
    const header = await generateIdentityHeader();
    const identity: ManagedIdentity = { principalId: principal.objectId, headerLookupId: header.lookupId, headerHash: header.hash, imdsAddresses, createdAt: now, updatedAt: now };
    return { principal, identity, identityHeader: header.header };
  }

  return {
    async createManagedIdentity(input: { displayName: string; imdsAddresses?: string[] }): Promise<{ principal: Principal; identity: ManagedIdentity; identityHeader: string }> {
      if (input.displayName.trim() === '' || input.displayName.length > 120) throw credentialErrors.invalidCredential('The name must be 1-120 characters.');
      const prepared = await prepareManagedIdentity(input);
      await deps.managedIdentities.insertManagedIdentity(prepared.principal, prepared.identity);
      return prepared;
    },

    /** For callers that store the identity together with more (an ARM user-assigned identity, user-assigned-identity-service.ts). */
    prepareManagedIdentity,

    async listManagedIdentities(): Promise<Array<{ principal: Principal; identity: ManagedIdentity | undefined }>> {
      const principals = (await deps.identities.listPrincipals()).filter((principal) => principal.kind === 'managedIdentity');
      return Promise.all(principals.map(async (principal) => ({ principal, identity: await deps.managedIdentities.getManagedIdentity(principal.objectId) })));
    },

    getManagedIdentity: identityOf,

    /** A new IDENTITY_HEADER; the old one stops working at once. */
    async rotateIdentityHeader(clientId: string): Promise<{ principal: Principal; identityHeader: string }> {
      const { principal } = await identityOf(clientId);
      const header = await generateIdentityHeader();
      await deps.managedIdentities.replaceHeader(principal.objectId, { lookupId: header.lookupId, hash: header.hash }, unixSeconds(deps.clock));
      return { principal, identityHeader: header.header };
    },

    /** Replaces the addresses whose IMDS-style requests get this identity; none turns that off. */
    async setImdsAddresses(clientId: string, addresses: string[]): Promise<{ principal: Principal; imdsAddresses: string[] }> {
      const { principal } = await identityOf(clientId);
      const imdsAddresses = normalizeAddresses(addresses);
      await deps.managedIdentities.setImdsAddresses(principal.objectId, imdsAddresses, unixSeconds(deps.clock));
      return { principal, imdsAddresses };
    },
  };
}

/** Each address or CIDR in its canonical form ('10.0.0.5' → '10.0.0.5/32'); throws naming the first that is neither. */
function normalizeAddresses(addresses: string[]): string[] {
  try {
    return [...new Set(addresses.map((address) => parseIpRule(address.trim()).value))];
  } catch (error) {
    if (error instanceof InvalidIpRuleError) throw credentialErrors.invalidCredential(error.message);
    throw error;
  }
}
