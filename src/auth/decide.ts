// The one question: may this principal perform this data action on this vault? Deny by default.
// Until access control lands (RBAC and access policies), only the administrator principal may.
import type { Principal } from '../domain/identities/principal.js';
import type { Vault } from '../domain/vaults/vault.js';

export interface Decision {
  allowed: boolean;
}

export function decide(input: { principal: Principal | undefined; action: string; vault: Vault }): Decision {
  return { allowed: input.principal?.isAdmin === true };
}
