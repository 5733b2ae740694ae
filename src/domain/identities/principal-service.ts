// Service principals of the built-in tenant and their credentials: client secrets (several at once, with expiry),
// certificate credentials and federated credentials; and enabling or disabling a principal. A new secret is returned
// once, to be shown to its owner; only its salted hash is stored. Changes take effect on the next request: the token
// endpoint reads credentials from storage, and the principal lookup behind every request is invalidated on change.
import { randomUUID } from 'node:crypto';
import { generateClientSecret, hashClientSecret, secretHint } from '../../auth/client-secret.js';
import { unixSeconds, type Clock } from '../../clock.js';
import { credentialErrors } from '../../errors.js';
import type { CertificateCredentialStore } from '../../store/certificate-credentials.js';
import type { FederatedCredentialStore } from '../../store/federated-credentials.js';
import type { ApplicationStore } from '../../store/applications.js';
import type { IdentityStore } from '../../store/identities.js';
import { CertificateFileError, parsePublicCertificate, type ParsedCertificate } from './certificate-credential.js';
import { federatedCredentialProblems, MAX_FEDERATED_CREDENTIALS, type FederatedCredentialInput } from './federated-credential.js';
import type { CertificateCredential, ClientSecretCredential, FederatedCredential, Principal } from './principal.js';

export type PrincipalService = ReturnType<typeof createPrincipalService>;

/** Microsoft Graph's addPassword makes secrets valid for two years unless told otherwise. */
export const DEFAULT_SECRET_LIFETIME_DAYS = 730;
const daySeconds = 24 * 60 * 60;

/** A certificate credential from a public certificate file (PEM or DER); refused if it is not one, or has expired. */
export function certificateCredentialOf(
  principalId: string,
  content: Buffer,
  opts: { id?: string | undefined; displayName?: string | undefined; now: number },
): { credential: CertificateCredential; parsed: ParsedCertificate } {
  let parsed: ParsedCertificate;
  try {
    parsed = parsePublicCertificate(content);
  } catch (error) {
    if (error instanceof CertificateFileError) throw credentialErrors.invalidCredential(error.message);
    throw error;
  }
  if (parsed.notAfter <= opts.now) throw credentialErrors.invalidCredential(`The certificate expired at ${new Date(parsed.notAfter * 1000).toISOString()}.`);
  const credential: CertificateCredential = {
    id: opts.id ?? randomUUID(),
    principalId,
    displayName: opts.displayName ?? parsed.subject,
    certificate: parsed.der,
    thumbprintSha1: parsed.thumbprintSha1,
    thumbprintSha256: parsed.thumbprintSha256,
    notBefore: parsed.notBefore,
    notAfter: parsed.notAfter,
    createdAt: opts.now,
  };
  return { credential, parsed };
}

export function createPrincipalService(deps: {
  identities: IdentityStore;
  /** A service principal made here is an application and its service principal, as Graph shows them (migration 0010). */
  applications: Pick<ApplicationStore, 'insertApplication'>;
  certificates: CertificateCredentialStore;
  federated: FederatedCredentialStore;
  tenantId: string;
  clock: Clock;
}) {
  async function principalOf(clientId: string): Promise<Principal> {
    const principal = await deps.identities.getPrincipalByAppId(clientId);
    if (!principal) throw credentialErrors.principalNotFound(clientId);
    return principal;
  }

  /** As in Azure, a managed identity has no secrets or certificates: its workload proves itself at the managed-identity endpoints. */
  function refuseManagedIdentity(principal: Principal, what: string): void {
    if (principal.kind === 'managedIdentity') {
      throw credentialErrors.invalidCredential(`'${principal.appId}' is a managed identity, which cannot have ${what}; its workload uses IDENTITY_HEADER or a federated credential.`);
    }
  }

  async function newSecret(principalId: string, opts: { expiresAt: number | null; displayName: string | null }) {
    const clientSecret = generateClientSecret();
    const credential: ClientSecretCredential = {
      id: randomUUID(),
      principalId,
      secretHash: await hashClientSecret(clientSecret),
      hint: secretHint(clientSecret),
      displayName: opts.displayName,
      createdAt: unixSeconds(deps.clock),
      expiresAt: opts.expiresAt,
    };
    await deps.identities.insertClientSecret(credential);
    return { credential, clientSecret };
  }

  return {
    async createServicePrincipal(input: { displayName: string; isAdmin: boolean; isTrustedService?: boolean }): Promise<{ principal: Principal; clientSecret: string }> {
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
      const createdAt = unixSeconds(deps.clock);
      await deps.applications.insertApplication(
        { objectId: randomUUID(), appId: principal.appId, displayName: principal.displayName, description: null, createdAt },
        principal,
      );
      const { clientSecret } = await newSecret(principal.objectId, { expiresAt: null, displayName: null });
      return { principal, clientSecret };
    },
    listPrincipals: () => deps.identities.listPrincipals(),
    getPrincipal: principalOf,

    /** Enabling or disabling takes effect at once: no new tokens, and tokens already held are refused. */
    async setEnabled(clientId: string, enabled: boolean): Promise<Principal> {
      const principal = await principalOf(clientId);
      await deps.identities.setPrincipalEnabled(principal.objectId, enabled);
      return { ...principal, enabled };
    },

    /** `expiresAt` (Unix seconds; Graph's endDateTime) or `expiresInDays` (the CLI's); two years when neither is given. */
    async addClientSecret(clientId: string, opts: { expiresInDays?: number; expiresAt?: number; displayName?: string }) {
      const principal = await principalOf(clientId);
      refuseManagedIdentity(principal, 'client secrets');
      const now = unixSeconds(deps.clock);
      const days = opts.expiresInDays ?? DEFAULT_SECRET_LIFETIME_DAYS;
      if (!Number.isInteger(days) || days < 1 || days > 36_500) throw credentialErrors.invalidCredential(`expires-days must be a whole number of days from 1 to 36500, not '${String(days)}'.`);
      if (opts.expiresAt !== undefined && !(Number.isInteger(opts.expiresAt) && opts.expiresAt > now && opts.expiresAt <= now + 36_500 * daySeconds)) {
        throw credentialErrors.invalidCredential('The end of a client secret must be in the future, and at most 100 years away.');
      }
      const expiresAt = opts.expiresAt ?? now + days * daySeconds;
      return { principal, ...(await newSecret(principal.objectId, { expiresAt, displayName: opts.displayName ?? null })) };
    },
    async listClientSecrets(clientId: string): Promise<ClientSecretCredential[]> {
      return deps.identities.listClientSecrets((await principalOf(clientId)).objectId);
    },
    /** The secret stops working at once: the token endpoint reads secrets on every request. */
    async removeClientSecret(clientId: string, keyId: string): Promise<void> {
      const principal = await principalOf(clientId);
      if (!(await deps.identities.deleteClientSecret(principal.objectId, keyId))) throw credentialErrors.credentialNotFound('client secret', keyId, clientId);
    },

    async addCertificate(clientId: string, opts: { certificate: Buffer; displayName?: string }): Promise<{ credential: CertificateCredential; parsed: ParsedCertificate }> {
      const principal = await principalOf(clientId);
      refuseManagedIdentity(principal, 'certificate credentials');
      const { credential, parsed } = certificateCredentialOf(principal.objectId, opts.certificate, { displayName: opts.displayName, now: unixSeconds(deps.clock) });
      if (!(await deps.certificates.insertCertificateCredential(credential))) {
        throw credentialErrors.credentialExists(`The principal '${clientId}' already has the certificate ${parsed.thumbprintSha1}.`);
      }
      return { credential, parsed };
    },
    async listCertificates(clientId: string): Promise<CertificateCredential[]> {
      return deps.certificates.listCertificateCredentials((await principalOf(clientId)).objectId);
    },
    async removeCertificate(clientId: string, keyId: string): Promise<void> {
      const principal = await principalOf(clientId);
      if (!(await deps.certificates.deleteCertificateCredential(principal.objectId, keyId))) {
        throw credentialErrors.credentialNotFound('certificate credential', keyId, clientId);
      }
    },

    async addFederatedCredential(clientId: string, input: FederatedCredentialInput): Promise<FederatedCredential> {
      const principal = await principalOf(clientId);
      const problems = federatedCredentialProblems(input);
      if (problems.length > 0) throw credentialErrors.invalidCredential(`Invalid federated credential: ${problems.join('; ')}.`);
      const store = deps.federated;
      const existing = await store.listFederatedCredentials(principal.objectId);
      if (existing.length >= MAX_FEDERATED_CREDENTIALS) {
        throw credentialErrors.invalidCredential(`The principal already has ${MAX_FEDERATED_CREDENTIALS} federated credentials, the most Entra allows.`);
      }
      if (existing.some((credential) => credential.name === input.name)) throw credentialErrors.credentialExists(`A federated credential named '${input.name}' already exists.`);
      if (existing.some((credential) => credential.issuer === input.issuer && credential.subject === input.subject)) {
        throw credentialErrors.credentialExists(`A federated credential with this issuer and subject already exists.`);
      }
      const credential: FederatedCredential = {
        id: randomUUID(),
        principalId: principal.objectId,
        name: input.name,
        issuer: input.issuer,
        subject: input.subject,
        audiences: input.audiences,
        description: input.description ?? null,
        createdAt: unixSeconds(deps.clock),
      };
      if (!(await store.insertFederatedCredential(credential))) throw credentialErrors.credentialExists(`A federated credential named '${input.name}' or with this issuer and subject already exists.`);
      return credential;
    },
    async listFederatedCredentials(clientId: string): Promise<FederatedCredential[]> {
      return deps.federated.listFederatedCredentials((await principalOf(clientId)).objectId);
    },
    async removeFederatedCredential(clientId: string, nameOrId: string): Promise<void> {
      const principal = await principalOf(clientId);
      if (!(await deps.federated.deleteFederatedCredential(principal.objectId, nameOrId))) {
        throw credentialErrors.credentialNotFound('federated credential', nameOrId, clientId);
      }
    },
  };
}
