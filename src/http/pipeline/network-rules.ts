// A vault's network rules on the data plane (ARM publicNetworkAccess and networkAcls), checked once the caller is
// known: Azure's refusal names the caller, and `bypass: AzureServices` depends on who it is. The client address is
// the socket's, or X-Forwarded-For's from trusted proxies only (network/client-address.ts).
import type { Principal } from '../../domain/identities/principal.js';
import type { NetworkAcls, Vault } from '../../domain/vaults/vault.js';
import { errors } from '../../errors.js';
import { createIpMatcher, parseIpRule } from '../../network/ip-rules.js';

/** Refuses (403 ForbiddenByFirewall) a request the vault's network rules do not let through. */
export function createNetworkRuleCheck() {
  // Vault objects are cached and replaced on change, so a matcher lives as long as the rules it was built from.
  const matchers = new WeakMap<NetworkAcls, (address: string) => boolean>();
  const matcherFor = (acls: NetworkAcls) => {
    let matcher = matchers.get(acls);
    if (!matcher) {
      matcher = createIpMatcher(acls.ipRules.map(parseIpRule));
      matchers.set(acls, matcher);
    }
    return matcher;
  };

  return function checkNetworkRules(
    vault: Vault,
    request: { clientAddress: string; viaPrivateListener: boolean; principal: Principal | undefined; caller: string },
  ): void {
    // Like Azure private endpoints, private listeners are not the public network its rules govern.
    if (request.viaPrivateListener) return;
    const { publicNetworkAccess, networkAcls } = vault.settings;
    // A vault without networkAcls has Azure's default bypass, AzureServices.
    const trustedServiceBypass = request.principal?.isTrustedService === true && (networkAcls?.bypass ?? 'AzureServices') === 'AzureServices';
    const where = `\r\nCaller: ${request.caller}\r\nVault: ${vault.name};location=${vault.location}`;
    if (publicNetworkAccess === 'Disabled') {
      if (trustedServiceBypass) return;
      throw errors.forbiddenByFirewall(`Public network access is disabled and request is not from a trusted service nor via an approved private link.\r\nClient address: ${request.clientAddress}${where}`);
    }
    if (!networkAcls || networkAcls.defaultAction === 'Allow') return;
    if (matcherFor(networkAcls)(request.clientAddress)) return;
    if (trustedServiceBypass) return;
    throw errors.forbiddenByFirewall(`Client address is not authorized and caller is not a trusted service.\r\nClient address: ${request.clientAddress}${where}`);
  };
}
