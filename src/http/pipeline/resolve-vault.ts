// Host header → vault, as in Azure: NAME.<dns suffix> selects vault NAME; localhost, IP literals and
// configured aliases select the default vault. Unknown hosts get an Azure-shaped 404.
import { isIP } from 'node:net';
import { DEFAULT_VAULT_NAME, type Vault } from '../../domain/vaults/vault.js';
import { errors } from '../../errors.js';
import type { VaultStore } from '../../store/vaults.js';

export interface ParsedHost {
  hostname: string;
  /** ':8443', or '' when the client left the port out. */
  portSuffix: string;
}

export function parseHost(host: string | undefined): ParsedHost {
  if (host === undefined || host === '') throw errors.badParameter('The request has no Host header.');
  const lower = host.toLowerCase();
  const bracketed = /^\[([^\]]+)\](:\d+)?$/.exec(lower);
  if (bracketed) return { hostname: bracketed[1]!, portSuffix: bracketed[2] ?? '' };
  const match = /^([^:]+)(:\d+)?$/.exec(lower);
  if (!match) throw errors.badParameter(`The Host header '${host}' is not valid.`);
  return { hostname: match[1]!.replace(/\.$/, ''), portSuffix: match[2] ?? '' };
}

/** The vault name a host selects, or undefined when the host is not ours. */
export function vaultNameForHost(hostname: string, opts: { dnsSuffix: string; aliases: readonly string[] }): string | undefined {
  if (hostname === 'localhost' || isIP(hostname) !== 0 || opts.aliases.includes(hostname)) return DEFAULT_VAULT_NAME;
  const suffix = `.${opts.dnsSuffix}`;
  if (!hostname.endsWith(suffix)) return undefined;
  const label = hostname.slice(0, -suffix.length);
  return label.length > 0 && !label.includes('.') ? label : undefined;
}

export function createVaultResolver(deps: { vaults: Pick<VaultStore, 'getVaultByName'>; dnsSuffix: string; aliases: readonly string[] }) {
  return async function resolveVault(host: ParsedHost): Promise<Vault> {
    const name = vaultNameForHost(host.hostname, deps);
    const vault = name === undefined ? undefined : await deps.vaults.getVaultByName(name);
    // A soft-deleted vault serves nothing until it is recovered (management API), as in Azure.
    if (!vault || vault.deletedAt !== null) throw errors.vaultNotFound(host.hostname);
    return vault;
  };
}
