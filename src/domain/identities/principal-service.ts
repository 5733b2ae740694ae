// Service principals of the built-in tenant and their client secrets. A new secret is returned once, to be
// shown to its owner; only its salted hash is stored.
import { randomUUID } from 'node:crypto';
import { generateClientSecret, hashClientSecret, secretHint } from '../../auth/client-secret.js';
import { unixSeconds, type Clock } from '../../clock.js';
import type { IdentityStore } from '../../store/identities.js';
import type { Principal } from './principal.js';

export type PrincipalService = ReturnType<typeof createPrincipalService>;

export function createPrincipalService(deps: { identities: IdentityStore; tenantId: string; clock: Clock }) {
  return {
    async createServicePrincipal(input: { displayName: string; isAdmin: boolean; isTrustedService?: boolean }): Promise<{ principal: Principal; clientSecret: string }> {
      const now = unixSeconds(deps.clock);
      const principal: Principal = {
        tenantId: deps.tenantId,
        objectId: randomUUID(),
        appId: randomUUID(),
        displayName: input.displayName,
        kind: 'servicePrincipal',
        isAdmin: input.isAdmin,
        isTrustedService: input.isTrustedService ?? false,
        enabled: true,
      };
      const clientSecret = generateClientSecret();
      const secretHash = await hashClientSecret(clientSecret);
      await deps.identities.insertPrincipal(principal, now);
      await deps.identities.insertClientSecret({
        id: randomUUID(), principalId: principal.objectId, secretHash, hint: secretHint(clientSecret), createdAt: now, expiresAt: null,
      });
      return { principal, clientSecret };
    },
    listPrincipals: () => deps.identities.listPrincipals(),
  };
}
