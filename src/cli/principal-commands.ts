// `coffer principal …` and `coffer identity …`: service principals and managed identities of the built-in token
// service, and their credentials, over a data directory whether or not the server runs. A secret or IDENTITY_HEADER is
// printed once, when it is made; listings never show one. Changes apply to the server's next request.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { ADMIN_CREDENTIALS_FILE, type AdminCredentials } from '../bootstrap.js';
import { systemClock } from '../clock.js';
import type { openDataDir } from '../data-dir.js';
import { DEFAULT_FEDERATED_AUDIENCE } from '../domain/identities/federated-credential.js';
import { createManagedIdentityService } from '../domain/identities/managed-identity-service.js';
import type { CertificateCredential, ClientSecretCredential, FederatedCredential, ManagedIdentity, Principal } from '../domain/identities/principal.js';
import { createPrincipalService, DEFAULT_SECRET_LIFETIME_DAYS } from '../domain/identities/principal-service.js';
import { credentialErrors } from '../errors.js';
import { createCertificateCredentialStore } from '../store/certificate-credentials.js';
import { createFederatedCredentialStore } from '../store/federated-credentials.js';
import { createApplicationStore } from '../store/applications.js';
import { createIdentityStore } from '../store/identities.js';
import { createManagedIdentityStore } from '../store/managed-identities.js';
import { dataDirOption, print, storeOption, withDataDir } from './admin.js';

type Opened = Awaited<ReturnType<typeof openDataDir>>;
type DataDirFlags = { dataDir?: string };

function principalsOf(opened: Opened) {
  return createPrincipalService({
    identities: createIdentityStore(opened.db),
    applications: createApplicationStore(opened.db),
    certificates: createCertificateCredentialStore(opened.db),
    federated: createFederatedCredentialStore(opened.db),
    tenantId: opened.tenantId,
    clock: systemClock,
  });
}

function managedIdentitiesOf(opened: Opened) {
  return createManagedIdentityService({ identities: createIdentityStore(opened.db), managedIdentities: createManagedIdentityStore(opened.db), tenantId: opened.tenantId, clock: systemClock });
}

const iso = (seconds: number | null) => (seconds === null ? null : new Date(seconds * 1000).toISOString());

/** Entra's passwordCredential, without the secret. */
const secretView = (secret: ClientSecretCredential) => ({
  keyId: secret.id,
  displayName: secret.displayName,
  hint: secret.hint,
  startDateTime: iso(secret.createdAt),
  endDateTime: iso(secret.expiresAt),
});

/** Entra's keyCredential: the SHA-1 thumbprint is its customKeyIdentifier. */
const certificateView = (certificate: CertificateCredential) => ({
  keyId: certificate.id,
  displayName: certificate.displayName,
  type: 'AsymmetricX509Cert',
  usage: 'Verify',
  thumbprint: certificate.thumbprintSha1,
  thumbprintSha256: certificate.thumbprintSha256,
  startDateTime: iso(certificate.notBefore),
  endDateTime: iso(certificate.notAfter),
});

const federatedView = (credential: FederatedCredential) => ({
  id: credential.id,
  name: credential.name,
  issuer: credential.issuer,
  subject: credential.subject,
  audiences: credential.audiences,
  description: credential.description,
});

const principalView = (principal: Principal) => ({
  displayName: principal.displayName,
  clientId: principal.appId,
  objectId: principal.objectId,
  tenantId: principal.tenantId,
  kind: principal.kind,
  enabled: principal.enabled,
  administrator: principal.isAdmin,
  trustedService: principal.isTrustedService,
  // An application registered through Microsoft Graph whose service principal does not exist gets no tokens.
  ...(principal.hasServicePrincipal === false ? { servicePrincipal: false } : {}),
});

function wholeDays(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value)) throw credentialErrors.invalidCredential(`--expires-days must be a whole number of days, not '${value}'.`);
  return Number(value);
}

/** IDENTITY_ENDPOINT and AZURE_POD_IDENTITY_AUTHORITY_HOST for the server of this data directory, when it has run. */
async function endpointsOf(dataDir: string | undefined): Promise<{ identityEndpoint?: string; podIdentityAuthorityHost?: string }> {
  try {
    const file = path.join(path.resolve(dataDir ?? process.env.COFFER_DATA_DIR ?? './data'), ADMIN_CREDENTIALS_FILE);
    const { authorityHost } = JSON.parse(await readFile(file, 'utf8')) as AdminCredentials;
    return { identityEndpoint: `${authorityHost}/msi/token`, podIdentityAuthorityHost: authorityHost };
  } catch {
    return {};
  }
}

function warnImdsBinding(addresses: string[]): void {
  if (addresses.length === 0) return;
  process.stderr.write(
    `*** IMDS BINDING: any process that reaches the server from ${addresses.join(', ')} gets this identity's tokens ***\n` +
      '  IMDS-style requests carry no secret; as on an Azure VM, the caller is known only by its address.\n' +
      '  Bind only addresses that nothing but this workload can send from.\n',
  );
}

export function addPrincipalCommands(program: Command): void {
  addServicePrincipalCommands(program);
  addManagedIdentityCommands(program);
}

function addServicePrincipalCommands(program: Command): void {
  const principal = program.command('principal').description('service principals of the built-in token service, and their credentials');
  principal
    .command('create <displayName>')
    .description('create a service principal and print its client credentials (the secret is shown only once)')
    .option(...dataDirOption)
    .option(...storeOption)
    .option('--trusted-service', 'mark it as a trusted service: vault firewalls whose bypass is AzureServices let it through')
    .action(async (displayName: string, flags: DataDirFlags & { trustedService?: boolean }) => {
      const created = await withDataDir(flags, (opened) =>
        principalsOf(opened).createServicePrincipal({ displayName, isAdmin: false, isTrustedService: flags.trustedService === true }),
      );
      print({ tenantId: created.principal.tenantId, clientId: created.principal.appId, clientSecret: created.clientSecret, objectId: created.principal.objectId });
    });
  principal
    .command('list')
    .description('list principals, managed identities included (never their secrets)')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (flags: DataDirFlags) => {
      const principals = await withDataDir(flags, (opened) => createIdentityStore(opened.db).listPrincipals());
      print(principals.map((p) => ({
        displayName: p.displayName, clientId: p.appId, objectId: p.objectId, kind: p.kind, enabled: p.enabled, administrator: p.isAdmin, trustedService: p.isTrustedService,
        ...(p.hasServicePrincipal === false ? { servicePrincipal: false } : {}),
      })));
    });
  principal
    .command('show <clientId>')
    .description('show a principal and its credentials (never a secret)')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (clientId: string, flags: DataDirFlags) => {
      const shown = await withDataDir(flags, async (opened) => {
        const service = principalsOf(opened);
        const found = await service.getPrincipal(clientId);
        const identity = found.kind === 'managedIdentity' ? await createManagedIdentityStore(opened.db).getManagedIdentity(found.objectId) : undefined;
        return {
          ...principalView(found),
          passwordCredentials: (await service.listClientSecrets(clientId)).map(secretView),
          keyCredentials: (await service.listCertificates(clientId)).map(certificateView),
          federatedIdentityCredentials: (await service.listFederatedCredentials(clientId)).map(federatedView),
          ...(identity ? { imdsAddresses: identity.imdsAddresses } : {}),
        };
      });
      print(shown);
    });
  for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
    principal
      .command(`${name} <clientId>`)
      .description(enabled ? 'enable a principal again' : 'disable a principal: it gets no tokens, and the tokens it holds are refused from the next request on')
      .option(...dataDirOption)
    .option(...storeOption)
      .action(async (clientId: string, flags: DataDirFlags) => {
        const changed = await withDataDir(flags, (opened) => principalsOf(opened).setEnabled(clientId, enabled));
        print({ clientId: changed.appId, objectId: changed.objectId, enabled: changed.enabled });
      });
  }

  const secret = principal.command('secret').description('client secrets (passwords): several may be valid at once, for rotation');
  secret
    .command('add <clientId>')
    .description('add a client secret and print it (shown only once)')
    .option(...dataDirOption)
    .option(...storeOption)
    .option('--expires-days <days>', `days until the secret expires (default ${DEFAULT_SECRET_LIFETIME_DAYS}, as Microsoft Graph)`)
    .option('--display-name <name>', 'a name to tell secrets apart')
    .action(async (clientId: string, flags: DataDirFlags & { expiresDays?: string; displayName?: string }) => {
      const expiresInDays = wholeDays(flags.expiresDays);
      const added = await withDataDir(flags, (opened) =>
        principalsOf(opened).addClientSecret(clientId, {
          ...(expiresInDays === undefined ? {} : { expiresInDays }),
          ...(flags.displayName === undefined ? {} : { displayName: flags.displayName }),
        }),
      );
      print({ clientId: added.principal.appId, ...secretView(added.credential), clientSecret: added.clientSecret });
    });
  secret
    .command('list <clientId>')
    .description("list a principal's client secrets: key id, hint, name, start and end (never the secret)")
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (clientId: string, flags: DataDirFlags) => {
      print((await withDataDir(flags, (opened) => principalsOf(opened).listClientSecrets(clientId))).map(secretView));
    });
  secret
    .command('remove <clientId> <keyId>')
    .description('remove a client secret; it stops working at once')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (clientId: string, keyId: string, flags: DataDirFlags) => {
      await withDataDir(flags, (opened) => principalsOf(opened).removeClientSecret(clientId, keyId));
      print({ clientId, removed: keyId });
    });

  const certificate = principal.command('certificate').description('certificate credentials: the client signs assertions with the private key (ClientCertificateCredential)');
  certificate
    .command('add <clientId>')
    .description('register a public certificate (PEM or DER; never the private key)')
    .requiredOption('--cert <file>', 'the public certificate file')
    .option('--display-name <name>', 'a name to tell certificates apart (default: its subject)')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (clientId: string, flags: DataDirFlags & { cert: string; displayName?: string }) => {
      const content = await readFile(flags.cert);
      const added = await withDataDir(flags, (opened) =>
        principalsOf(opened).addCertificate(clientId, { certificate: content, ...(flags.displayName === undefined ? {} : { displayName: flags.displayName }) }),
      );
      print({ clientId, ...certificateView(added.credential), subject: added.parsed.subject, keyType: added.parsed.keyType });
    });
  certificate
    .command('list <clientId>')
    .description("list a principal's certificate credentials")
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (clientId: string, flags: DataDirFlags) => {
      print((await withDataDir(flags, (opened) => principalsOf(opened).listCertificates(clientId))).map(certificateView));
    });
  certificate
    .command('remove <clientId> <keyId>')
    .description('remove a certificate credential; assertions it signs are refused at once')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (clientId: string, keyId: string, flags: DataDirFlags) => {
      await withDataDir(flags, (opened) => principalsOf(opened).removeCertificate(clientId, keyId));
      print({ clientId, removed: keyId });
    });

  const federated = principal.command('federated').description("federated credentials: an external issuer's token is the client assertion (WorkloadIdentityCredential)");
  federated
    .command('add <clientId>')
    .description('trust tokens of an external issuer for one subject')
    .requiredOption('--name <name>', 'unique per principal: 3-120 letters, digits, - or _')
    .requiredOption('--issuer <url>', "the issuer's https URL, exactly as its tokens' iss")
    .requiredOption('--subject <subject>', "the tokens' sub, exactly (e.g. system:serviceaccount:NAMESPACE:NAME)")
    .option('--audience <audience>', "an audience the tokens must name", DEFAULT_FEDERATED_AUDIENCE)
    .option('--description <text>', 'free text')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (clientId: string, flags: DataDirFlags & { name: string; issuer: string; subject: string; audience: string; description?: string }) => {
      const added = await withDataDir(flags, (opened) =>
        principalsOf(opened).addFederatedCredential(clientId, {
          name: flags.name, issuer: flags.issuer, subject: flags.subject, audiences: [flags.audience], description: flags.description,
        }),
      );
      print({ clientId, ...federatedView(added) });
    });
  federated
    .command('list <clientId>')
    .description("list a principal's federated credentials")
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (clientId: string, flags: DataDirFlags) => {
      print((await withDataDir(flags, (opened) => principalsOf(opened).listFederatedCredentials(clientId))).map(federatedView));
    });
  federated
    .command('remove <clientId> <name>')
    .description('remove a federated credential (by name or id); its tokens are refused at once')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (clientId: string, name: string, flags: DataDirFlags) => {
      await withDataDir(flags, (opened) => principalsOf(opened).removeFederatedCredential(clientId, name));
      print({ clientId, removed: name });
    });
}

function addManagedIdentityCommands(program: Command): void {
  const identity = program.command('identity').description('managed identities of workloads (ManagedIdentityCredential, App Service and IMDS endpoints)');
  const identityView = (principal: Principal, managed: ManagedIdentity | undefined) => ({
    ...principalView(principal),
    imdsAddresses: managed?.imdsAddresses ?? [],
  });
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  identity
    .command('create <name>')
    .description('create a managed identity and print its IDENTITY_HEADER (shown only once)')
    .option('--imds-address <address>', 'an address or CIDR whose IMDS-style requests (which carry no secret) get this identity; repeatable', collect)
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (name: string, flags: DataDirFlags & { imdsAddress?: string[] }) => {
      const created = await withDataDir(flags, (opened) => managedIdentitiesOf(opened).createManagedIdentity({ displayName: name, imdsAddresses: flags.imdsAddress ?? [] }));
      warnImdsBinding(created.identity.imdsAddresses);
      const endpoints = await endpointsOf(flags.dataDir);
      print({
        ...identityView(created.principal, created.identity),
        identityHeader: created.identityHeader,
        ...(endpoints.identityEndpoint === undefined
          ? {}
          : {
              environment: {
                IDENTITY_ENDPOINT: endpoints.identityEndpoint,
                IDENTITY_HEADER: created.identityHeader,
                ...(created.identity.imdsAddresses.length > 0 ? { AZURE_POD_IDENTITY_AUTHORITY_HOST: endpoints.podIdentityAuthorityHost } : {}),
              },
            }),
      });
    });
  identity
    .command('list')
    .description('list managed identities (never their headers)')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (flags: DataDirFlags) => {
      const listed = await withDataDir(flags, (opened) => managedIdentitiesOf(opened).listManagedIdentities());
      print(listed.map(({ principal, identity: managed }) => identityView(principal, managed)));
    });
  identity
    .command('rotate-header <clientId>')
    .description('make a new IDENTITY_HEADER and print it; the old one stops working at once')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (clientId: string, flags: DataDirFlags) => {
      const rotated = await withDataDir(flags, (opened) => managedIdentitiesOf(opened).rotateIdentityHeader(clientId));
      print({ clientId: rotated.principal.appId, identityHeader: rotated.identityHeader });
    });
  identity
    .command('imds-addresses <clientId> [addresses...]')
    .description('replace the addresses or CIDRs whose IMDS-style requests get this identity (none: turn that off)')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (clientId: string, addresses: string[], flags: DataDirFlags) => {
      const changed = await withDataDir(flags, (opened) => managedIdentitiesOf(opened).setImdsAddresses(clientId, addresses));
      warnImdsBinding(changed.imdsAddresses);
      print({ clientId: changed.principal.appId, imdsAddresses: changed.imdsAddresses });
    });
}
