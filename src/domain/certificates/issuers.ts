// A vault's certificate issuers (GetCertificateIssuer(s), SetCertificateIssuer, UpdateCertificateIssuer,
// DeleteCertificateIssuer): named configurations of a certificate authority that a certificate policy refers to by
// name. The provider password is sealed by the vault envelope before it reaches the store and never leaves this
// module in clear: Azure never returns it, and neither does any view here.
//
// Providers. A provider named `Coffer` (any case) is the BUILT-IN CA of this server: an issuer with it needs no
// credentials, and certificates whose policy names the issuer are signed by Coffer's own CA. Every other provider
// (DigiCert, GlobalSign, OneCertV2-PublicCA, Test, …) is accepted and stored with its credentials as Azure does,
// but Coffer has no partner integrations: a certificate that uses such an issuer fails at issuance.
//
// Azure's behaviour, from its recorded answers (azure-sdk-for-js recording "can create, read, and delete a certificate
// issuer"): Set with provider `Test`, an account id and no password succeeds; Update replaces the members it is given
// and keeps the others; Delete answers the issuer it removed; Get of a missing issuer answers 404
// CertificateIssuerNotFound "Issuer not found".
import { randomUUID } from 'node:crypto';
import { unixSeconds, type Clock } from '../../clock.js';
import type { Envelope } from '../../crypto/envelope.js';
import { errors } from '../../errors.js';
import type { CertificateIssuerStore } from '../../store/certificate-issuers.js';
import { assertObjectName, nameKey } from '../objects/names.js';
import type { Page } from '../objects/object-lifecycle.js';
import type { Vault } from '../vaults/vault.js';

/** The provider of the built-in CA. */
export const BUILT_IN_CA_PROVIDER = 'Coffer';

export function isBuiltInCaProvider(provider: string): boolean {
  return provider.toLowerCase() === BUILT_IN_CA_PROVIDER.toLowerCase();
}

/**
 * Names a policy uses for the issuance modes rather than for an issuer object: `Self` (self-signed) and `Unknown`
 * (CSR, then merge); certificate-policy.ts reads them case-insensitively. An issuer so named could never be used.
 * Divergence (unverified): no recorded Azure answer to SetCertificateIssuer with these names was found; Coffer
 * refuses them rather than store an issuer no policy can reach.
 */
const RESERVED_NAMES = new Set(['self', 'unknown']);

export interface IssuerAdministrator {
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
}

export interface IssuerOrganization {
  id?: string;
  admins?: IssuerAdministrator[];
}

/** An issuer as callers see it: never the password, only whether one is kept. */
export interface Issuer {
  name: string;
  provider: string;
  accountId: string | null;
  hasPassword: boolean;
  organization: IssuerOrganization | null;
  enabled: boolean;
  created: number;
  updated: number;
}

/** An issuer as the store keeps it: the password sealed, bound to (vault, issuer id). */
export interface StoredIssuer extends Omit<Issuer, 'hasPassword'> {
  vaultId: string;
  /** Random, given at creation; a re-created issuer gets a new one, so an old sealed password cannot be put back. */
  id: string;
  sealedPassword: Buffer | null;
}

/** What SetCertificateIssuer and UpdateCertificateIssuer carry, in our words; `null` stands for absent. */
export interface IssuerInput {
  provider?: string | null;
  credentials?: { accountId?: string | null; password?: string | null } | null;
  organization?: {
    id?: string | null;
    admins?: Array<{ firstName?: string | null; lastName?: string | null; email?: string | null; phone?: string | null }> | null;
  } | null;
  enabled?: boolean | null;
}

export function assertIssuerName(name: string): void {
  assertObjectName('issuer', name);
}

function assertSettableIssuerName(name: string): void {
  assertIssuerName(name);
  if (RESERVED_NAMES.has(name.toLowerCase())) {
    throw errors.badParameter(`The issuer name '${name}' is reserved: a certificate policy uses Self and Unknown for self-signed and merged certificates.`);
  }
}

function parseProvider(provider: string | null | undefined, required: boolean): string | undefined {
  if (provider === undefined || provider === null) {
    if (required) throw errors.badParameter('Property provider is required.');
    return undefined;
  }
  if (provider.trim() === '') throw errors.badParameter('Property provider has invalid value. The issuer provider must not be empty.');
  return provider;
}

function parseOrganization(input: IssuerInput['organization']): IssuerOrganization | null | undefined {
  if (input === undefined || input === null) return undefined;
  const organization: IssuerOrganization = {};
  if (input.id !== undefined && input.id !== null) organization.id = input.id;
  if (input.admins !== undefined && input.admins !== null) {
    organization.admins = input.admins.map((admin) => {
      const parsed: IssuerAdministrator = {};
      if (admin.firstName !== undefined && admin.firstName !== null) parsed.firstName = admin.firstName;
      if (admin.lastName !== undefined && admin.lastName !== null) parsed.lastName = admin.lastName;
      if (admin.email !== undefined && admin.email !== null) parsed.email = admin.email;
      if (admin.phone !== undefined && admin.phone !== null) parsed.phone = admin.phone;
      return parsed;
    });
  }
  return organization;
}

/** undefined: not given (keep); null: given empty (none). An empty password is no password. */
function givenPassword(input: IssuerInput): string | null | undefined {
  const password = input.credentials?.password;
  if (password === undefined) return undefined;
  return password === null || password === '' ? null : password;
}

function toIssuer(stored: StoredIssuer): Issuer {
  const { vaultId: _vaultId, id: _id, sealedPassword, ...visible } = stored;
  return { ...visible, hasPassword: sealedPassword !== null };
}

export type CertificateIssuerService = ReturnType<typeof createCertificateIssuerService>;

export function createCertificateIssuerService(deps: { store: CertificateIssuerStore; envelope: Pick<Envelope, 'seal' | 'open'>; clock: Clock }) {
  const { store, envelope, clock } = deps;
  const rowOf = (vault: Vault, issuerId: string) => ({ vaultId: vault.id, kind: 'certificate-issuer', objectId: issuerId, version: 'password' });
  const seal = (vault: Vault, issuerId: string, password: string | null) =>
    password === null ? null : envelope.seal(vault, rowOf(vault, issuerId), Buffer.from(password, 'utf8'));

  async function requireIssuer(vault: Vault, name: string): Promise<StoredIssuer> {
    assertIssuerName(name);
    const found = await store.get(vault.id, name);
    if (!found) throw errors.certificateIssuerNotFound();
    return found;
  }

  return {
    async getIssuer(vault: Vault, name: string): Promise<Issuer> {
      return toIssuer(await requireIssuer(vault, name));
    },

    async listIssuers(vault: Vault, page: { after: string | undefined; limit: number }): Promise<Page<Issuer>> {
      const rows = await store.list(vault.id, { afterNameKey: page.after, limit: page.limit + 1 });
      const items = rows.slice(0, page.limit);
      const last = items.at(-1);
      return { items: items.map(toIssuer), next: rows.length > page.limit && last ? nameKey(last.name) : undefined };
    },

    /** Adds the issuer or replaces it whole (PUT semantics), keeping its name's case and creation time. */
    async setIssuer(vault: Vault, name: string, input: IssuerInput): Promise<Issuer> {
      assertSettableIssuerName(name);
      const provider = parseProvider(input.provider, true)!;
      const organization = parseOrganization(input.organization) ?? null;
      const accountId = input.credentials?.accountId ?? null;
      const password = givenPassword(input) ?? null;
      const now = unixSeconds(clock);
      const stored = await store.change(vault.id, name, (current) => {
        const id = current?.id ?? randomUUID();
        return {
          vaultId: vault.id,
          id,
          name: current?.name ?? name,
          provider,
          accountId,
          sealedPassword: seal(vault, id, password),
          organization,
          enabled: input.enabled ?? true,
          created: current?.created ?? now,
          updated: now,
        };
      });
      return toIssuer(stored);
    },

    /** Changes the members given and keeps the others; a password is replaced only when a new one is given. */
    async updateIssuer(vault: Vault, name: string, input: IssuerInput): Promise<Issuer> {
      assertIssuerName(name);
      const provider = parseProvider(input.provider, false);
      const organization = parseOrganization(input.organization);
      const accountId = input.credentials?.accountId;
      const password = givenPassword(input);
      const now = unixSeconds(clock);
      const stored = await store.change(vault.id, name, (current) => {
        if (!current) throw errors.certificateIssuerNotFound();
        return {
          ...current,
          provider: provider ?? current.provider,
          accountId: accountId === undefined ? current.accountId : accountId,
          sealedPassword: password === undefined ? current.sealedPassword : seal(vault, current.id, password),
          organization: organization === undefined ? current.organization : organization,
          enabled: input.enabled ?? current.enabled,
          updated: now,
        };
      });
      return toIssuer(stored);
    },

    /** Removes the issuer and answers it, as Azure does. */
    async deleteIssuer(vault: Vault, name: string): Promise<Issuer> {
      assertIssuerName(name);
      const removed = await store.delete(vault.id, name);
      if (!removed) throw errors.certificateIssuerNotFound();
      return toIssuer(removed);
    },

    /**
     * The issuer with its credentials opened, for issuance through a partner CA. Never for an API response: the
     * password in clear leaves this module only here.
     */
    async credentialsFor(vault: Vault, name: string): Promise<{ issuer: Issuer; accountId: string | null; password: string | null }> {
      const stored = await requireIssuer(vault, name);
      const password = stored.sealedPassword === null ? null : envelope.open(vault, rowOf(vault, stored.id), stored.sealedPassword).toString('utf8');
      return { issuer: toIssuer(stored), accountId: stored.accountId, password };
    },
  };
}
