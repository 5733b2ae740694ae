// The composition root: builds each part once, in the order DESIGN.md draws them, and hands each its
// dependencies. Two steps: `initialize` (storage, keys, TLS, first-start bootstrap; idempotent, so every worker
// process may run it) and `serve` (services and the HTTPS listener). Nothing here is a singleton.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createAuditLog, type AuditLog } from './audit/audit-log.js';
import { createJsonlFileSink } from './audit/sinks/jsonl-file.js';
import { createSqliteWorkerSink } from './audit/sinks/sqlite-worker.js';
import { createDatabaseSink } from './audit/sinks/database.js';
import { createClientCredentialsGrant } from './auth/tokens/client-credentials.js';
import { createTokenIssuer } from './auth/tokens/issue.js';
import { loadSigningKeys, type SigningKeys } from './auth/tokens/signing-keys.js';
import { audiencesFor, createTokenVerifier, GRAPH_AUDIENCES, managementAudiencesFor } from './auth/tokens/verify.js';
import { createReplayGuard, forgetExpiredAssertions } from './auth/tokens/assertion-replay.js';
import { createCertificateAssertionVerifier } from './auth/tokens/certificate-assertion.js';
import { createFederatedAssertionVerifier } from './auth/tokens/federated-assertion.js';
import { createManagedIdentityGrant } from './auth/tokens/managed-identity-grant.js';
import { createTokenPrincipalResolver } from './auth/tokens/token-principal.js';
import { parseExternalIssuer } from './auth/external-issuers.js';
import { createRemoteIssuerKeys } from './auth/oidc/remote-issuer-keys.js';
import { describeError } from './errors.js';
import { createCertificateCredentialStore } from './store/certificate-credentials.js';
import { createFederatedCredentialStore } from './store/federated-credentials.js';
import { createManagedIdentityStore } from './store/managed-identities.js';
import { ADMIN_CREDENTIALS_FILE, ensureAdministrator, ensureAdministratorRoles, ensureDefaultVault } from './bootstrap.js';
import { unixSeconds, type Clock } from './clock.js';
import type { Config } from './config/schema.js';
import { auditRecordsOf, openDataDir, RESOURCE_GROUP, type OpenDataDir } from './data-dir.js';
import { createPrincipalService } from './domain/identities/principal-service.js';
import { createDevClock, type DevClock } from './dev-clock.js';
import { createKeyOperationPool, type KeyOperationPool } from './domain/keys/key-operation-pool.js';
import { createKeyRotation } from './domain/keys/key-rotation.js';
import { createSoftwareKeyProvider } from './domain/keys/key-provider.js';
import { createKeyService } from './domain/keys/key-service.js';
import { createCertificateRenewal } from './domain/certificates/certificate-renewal.js';
import { createCertificateService } from './domain/certificates/certificate-service.js';
import { createCertificateContactsService } from './domain/certificates/contacts.js';
import { createCertificateIssuerService } from './domain/certificates/issuers.js';
import { createSecretService } from './domain/secrets/secret-service.js';
import { createVaultManagement } from './domain/vaults/vault-management.js';
import { createVaultService } from './domain/vaults/vault-service.js';
import { vaultOperations, type ManagementServices } from './http/management/vault-operations.js';
import { identityOperations, type IdentityServices } from './http/management/identity-operations.js';
import { createManagedIdentityService } from './domain/identities/managed-identity-service.js';
import { createUserAssignedIdentityService } from './domain/identities/user-assigned-identity-service.js';
import { createUserAssignedIdentityStore } from './store/user-assigned-identities.js';
import { createClientAddressResolver } from './network/client-address.js';
import { parseListenAddress } from './network/listen-address.js';
import { devClockOperations, type DevClockServices } from './http/data-plane/dev/clock.js';
import { certificateContactsAndIssuersOperations } from './http/data-plane/certificates/contacts-issuers-index.js';
import { certificateOperations } from './http/data-plane/certificates/index.js';
import type { CertificatesServices } from './http/data-plane/certificates/schemas.js';
import type { CertificateContactsAndIssuersServices } from './http/data-plane/certificates/contacts-issuers-schemas.js';
import { keyOperations } from './http/data-plane/keys/index.js';
import type { KeysServices } from './http/data-plane/keys/schemas.js';
import { secretOperations } from './http/data-plane/secrets/index.js';
import { accessControlOperations, type AccessControlServices } from './http/data-plane/access-control/index.js';
import type { SecretsServices } from './http/data-plane/secrets/schemas.js';
import { createAuditStage } from './http/pipeline/audit.js';
import { createAuthenticator } from './http/pipeline/authenticate.js';
import { createNetworkRuleCheck } from './http/pipeline/network-rules.js';
import { createVaultResolver } from './http/pipeline/resolve-vault.js';
import { createPrivateListeners } from './http/private-listener.js';
import { buildHttpServer, REQUEST_TIMEOUT_MS } from './http/server.js';
import { createPurgeDeletedJob, createPurgeDeletedVaultsJob } from './scheduler/purge-deleted.js';
import { createCompleteCertificateOperationsJob } from './scheduler/complete-certificate-operations.js';
import { createRenewCertificatesJob } from './scheduler/renew-certificates.js';
import { createRotateKeysJob } from './scheduler/rotate-keys.js';
import { startScheduler } from './scheduler/scheduler.js';
import { createIdentityStore } from './store/identities.js';
import { createApplicationStore } from './store/applications.js';
import { createDirectoryService } from './domain/identities/directory-service.js';
import { applicationOperations } from './http/graph/application-operations.js';
import { groupOperations } from './http/graph/group-operations.js';
import { servicePrincipalOperations } from './http/graph/service-principal-operations.js';
import { createAccessControlStore } from './store/access-control.js';
import { createAuthorizer } from './auth/authorize.js';
import { readLastUse } from './audit/last-use.js';
import { createAccessReviewer } from './domain/access/access-review.js';
import { createAccessService } from './domain/access/access-service.js';
import { accessReviewOperations, type AccessReviewServices } from './http/management/access-review-operations.js';
import { authorizationOperations, type AuthorizationServices } from './http/management/authorization-operations.js';
import { roleScheduleOperations } from './http/management/role-schedule-operations.js';
import { changeBarrier, changeStamp, isPostgresStore, withBootstrapLock } from './store/open.js';
import { electLeader } from './scheduler/leadership.js';
import { createMetaStore } from './store/meta.js';
import { createEventOutbox } from './store/event-outbox.js';
import { createCertificateContactsStore } from './store/certificate-contacts.js';
import { createCertificateStore } from './store/certificates.js';
import { createCertificateIssuerStore } from './store/certificate-issuers.js';
import { createObjectStore } from './store/objects.js';
import { createRotationPolicyStore } from './store/rotation-policies.js';
import { createSigningKeyStore } from './store/signing-keys.js';
import { createVaultStore } from './store/vaults.js';
import { ensureTlsMaterial } from './tls/certificates.js';

export interface AppInfo {
  vaultUrl: string;
  authorityHost: string;
  tenantId: string;
  caCertPath: string;
  /** Undefined when this data directory has none: another node sharing the store created the administrator. */
  credentialsFile: string | undefined;
  dataDir: string;
  masterKey: string;
  /** Managed identities that IMDS-style requests (no secret) get by the caller's address, announced at start. */
  imdsBindings: Array<{ displayName: string; clientId: string; addresses: string[] }>;
}

export interface Initialized {
  dataDir: OpenDataDir;
  tls: { certPem: string; keyPem: string; caCertPath: string };
  keys: SigningKeys;
  info: AppInfo;
  /** Closes storage; call after everything built on it has stopped. */
  close(): Promise<void>;
}

interface AppOptions {
  config: Readonly<Config>;
  masterKeyFromEnvironment: string | undefined;
  logger: Logger;
  clock: Clock;
}

/** Opens (or creates) the data directory and everything every process needs from it. */
export async function initialize(opts: AppOptions): Promise<Initialized> {
  const { config, logger, clock } = opts;
  const dataDir = await openDataDir({ dataDir: config.dataDir, store: config.store, masterKeyFromEnvironment: opts.masterKeyFromEnvironment, allowInitialize: true });
  const { db, envelope, tenantId } = dataDir;
  try {
    const authorityHost = config.authorityHost ?? `https://localhost:${publicPortOf(config)}`;
    const vaultUrl = `https://localhost:${publicPortOf(config)}`;
    const tls = await loadTls(config, clock);
    // Several nodes starting together on an empty PostgreSQL database must not each create an administrator.
    const keys = await withBootstrapLock(db, async () => {
      const vaults = createVaultService({ vaults: createVaultStore(db), envelope, clock, defaultRetentionDays: config.defaultRetentionDays, subscriptionId: dataDir.subscriptionId });
      await ensureDefaultVault(vaults);
      await ensureAdministrator({
        dataDir: config.dataDir,
        meta: createMetaStore(db),
        principals: createPrincipalService({
          identities: createIdentityStore(db), applications: createApplicationStore(db), certificates: createCertificateCredentialStore(db), federated: createFederatedCredentialStore(db), tenantId, clock,
        }),
        tenantId,
        logger,
        endpoints: { authorityHost, vaultUrl, caCertPath: tls.caCertPath },
      });
      await ensureAdministratorRoles({ meta: createMetaStore(db), accessControl: createAccessControlStore(db), clock });
      return loadSigningKeys({ store: createSigningKeyStore(db), sealer: envelope, clock });
    });
    await mkdir(path.join(config.dataDir, 'audit'), { recursive: true, mode: 0o700 });
    return {
      dataDir,
      tls,
      keys,
      info: {
        vaultUrl, authorityHost, tenantId, caCertPath: tls.caCertPath, dataDir: config.dataDir,
        credentialsFile: existsSync(path.join(config.dataDir, ADMIN_CREDENTIALS_FILE)) ? path.join(config.dataDir, ADMIN_CREDENTIALS_FILE) : undefined,
        masterKey: `${dataDir.masterKey.source} (${dataDir.masterKey.location})`,
        imdsBindings: await imdsBindingsOf(db),
      },
      close: () => db.destroy(),
    };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

export interface Serving {
  server: FastifyInstance;
  /** Stops accepting requests, lets in-flight ones finish, then flushes the audit log. */
  close(): Promise<void>;
}

/** Builds the services over an initialized data directory and starts the HTTPS listener. */
export async function serve(initialized: Initialized, opts: Omit<AppOptions, 'masterKeyFromEnvironment'>): Promise<Serving> {
  const { config, logger, clock } = opts;
  const { db, envelope, tenantId, subscriptionId } = initialized.dataDir;
  const { keys: signingKeys, info } = initialized;
  const vaultStore = createVaultStore(db);

  const issuerUrl = `${info.authorityHost}/${tenantId}/v2.0`;
  const privateAddresses = config.privateListen.map(parseListenAddress);
  // Clients of a private TCP listener address vaults with its port, and ask tokens for that audience. Behind a load
  // balancer clients use its port; the node's own stays accepted for direct access.
  const ports = [...new Set([publicPortOf(config), config.port]), ...privateAddresses.flatMap((address) => (address.kind === 'tcp' ? [address.port] : []))];
  const audiences = audiencesFor({ dnsSuffix: config.dnsSuffix, ports });
  const managementAudiences = managementAudiencesFor({ hosts: ['localhost', '127.0.0.1', '[::1]', ...config.aliases], ports });
  const { verifier, grant, managedIdentityGrant, principalOf } = tokenService(initialized, {
    config, logger, clock, issuerUrl, resources: [...audiences, ...managementAudiences, ...GRAPH_AUDIENCES],
  });
  const clientAddressOf = createClientAddressResolver({ trustedProxies: config.trustedProxies });

  // Queryable records go where the data is: audit.db beside the SQLite file, or the table every node shares.
  const auditRecords = auditRecordsOf(initialized.dataDir, config.dataDir);
  const auditLog: AuditLog = createAuditLog({
    sinks: [
      'db' in auditRecords ? createDatabaseSink({ db: auditRecords.db }) : createSqliteWorkerSink({ file: auditRecords.file }),
      createJsonlFileSink({ dir: path.join(config.dataDir, 'audit'), clock }),
    ],
  });

  const objects = createObjectStore(db);
  const devClock = objectClockFor(initialized, config, clock);
  const objectClock = devClock ?? clock;
  const keyOperationPool = createKeyOperationPool();
  const { keys, rotation } = keysDomain(initialized, { config, logger, clock: objectClock, pool: keyOperationPool });
  const { certificates, certificateIssuers } = certificatesDomain(initialized, { clock: objectClock, pool: keyOperationPool });

  try {
    const vaultService = createVaultService({ vaults: vaultStore, envelope, clock: objectClock, defaultRetentionDays: config.defaultRetentionDays, subscriptionId });
    const tls = { cert: initialized.tls.certPem, key: initialized.tls.keyPem };
    // Just-in-time assignments end by the object clock, so --dev-clock can make them expire in tests.
    const accessControlStore = createAccessControlStore(db);
    const identityStore = createIdentityStore(db);
    // A resource group exists while a vault or a user-assigned identity is in it.
    const userAssignedIdentityStore = createUserAssignedIdentityStore(db);
    const resourceGroups = {
      hasResourceGroup: async (subscription: string, group: string) =>
        (await vaultStore.hasResourceGroup(subscription, group)) || userAssignedIdentityStore.hasResourceGroup(subscription, group),
    };
    const authorizer = createAuthorizer({ store: accessControlStore, stamp: changeStamp(db), clock: objectClock });
    const awaitChanges = changeBarrier(db);
    const accessService = createAccessService({ store: accessControlStore, identities: identityStore, tenantId, clock: objectClock });
    // Microsoft Graph's directory: the same principal service as the CLI's; credentials live on the real clock, as tokens do.
    const applicationStore = createApplicationStore(db);
    const directory = createDirectoryService({
      applications: applicationStore,
      identities: identityStore,
      certificates: createCertificateCredentialStore(db),
      principals: createPrincipalService({
        identities: identityStore, applications: applicationStore, certificates: createCertificateCredentialStore(db), federated: createFederatedCredentialStore(db), tenantId, clock,
      }),
      access: accessService,
      tenantId,
      clock,
    });
    const privateListeners = createPrivateListeners({ addresses: privateAddresses, tls, requestTimeoutMs: REQUEST_TIMEOUT_MS });
    const server = buildHttpServer<SecretsServices & KeysServices & DevClockServices & CertificateContactsAndIssuersServices & CertificatesServices & AccessControlServices, ManagementServices & AccessReviewServices & AuthorizationServices & IdentityServices>({
      tls,
      logger,
      ...(awaitChanges ? { awaitChanges } : {}),
      identity: { tenantId, authorityHost: info.authorityHost, jwks: () => signingKeys.jwks(), grant, logger },
      managedIdentity: {
        grant: managedIdentityGrant,
        clientAddress: (request) => clientAddressOf(request.raw.socket.remoteAddress, request.headers['x-forwarded-for']),
        logger,
      },
      dataPlane: {
        operations: [...secretOperations, ...keyOperations, ...certificateContactsAndIssuersOperations, ...certificateOperations, ...accessControlOperations, ...(devClock ? devClockOperations : [])],
        services: {
          secrets: createSecretService({ objects, envelope, clock: objectClock }),
          keys,
          rotation,
          certificateContacts: createCertificateContactsService({ store: createCertificateContactsStore(db), clock: objectClock }),
          certificateIssuers,
          certificates,
          devClock,
          accessControl: { access: accessService, authorizeControl: authorizer.authorizeControl },
        },
        ...(devClock ? { refreshClock: () => devClock.refresh() } : {}),
        resolveVault: createVaultResolver({ vaults: vaultStore, dnsSuffix: config.dnsSuffix, aliases: config.aliases }),
        authenticate: createAuthenticator({
          verifier, principalOf, authorityHost: info.authorityHost, tenantId, dnsSuffix: config.dnsSuffix, audiences, ...(config.publicPort !== undefined ? { publicPort: config.publicPort } : {}),
        }),
        audit: createAuditStage({ auditLog, subscriptionId, resourceGroup: RESOURCE_GROUP }),
        checkNetworkRules: createNetworkRuleCheck(),
        authorize: authorizer.authorizeData,
        authorizeControl: authorizer.authorizeControl,
        clientAddress: (request) => clientAddressOf(request.raw.socket.remoteAddress, request.headers['x-forwarded-for']),
        viaPrivateListener: (request) => privateListeners.isPrivate(request.raw.socket),
        dnsSuffix: config.dnsSuffix,
        aliases: config.aliases,
      },
      management: {
        operations: [...vaultOperations, ...accessReviewOperations, ...authorizationOperations, ...roleScheduleOperations, ...identityOperations],
        services: {
          vaults: createVaultManagement({ vaults: vaultService, store: { ...vaultStore, ...resourceGroups }, clock: objectClock, tenantId, subscriptionId }),
          userAssignedIdentities: createUserAssignedIdentityService({
            store: userAssignedIdentityStore,
            managedIdentities: createManagedIdentityService({ identities: identityStore, managedIdentities: createManagedIdentityStore(db), tenantId, clock: objectClock }),
            federated: createFederatedCredentialStore(db),
            resourceGroups,
            subscriptionId,
            clock: objectClock,
          }),
          urls: { tenantId, vaultUri: (vault) => `https://${vault.name}.${config.dnsSuffix}:${publicPortOf(config)}/` },
          subscription: { subscriptionId, tenantId },
          access: accessService,
          identitiesOf: authorizer.identitiesOf,
          now: () => unixSeconds(objectClock),
          accessReview: createAccessReviewer({
            access: createAccessService({ store: accessControlStore, identities: identityStore, tenantId, clock: objectClock }),
            vaults: vaultStore,
            identities: identityStore,
            lastUse: (vaultName) => readLastUse(auditRecordsOf(initialized.dataDir, config.dataDir), vaultName),
            now: () => new Date(objectClock.nowMs()),
          }),
        },
        verifier,
        principalOf,
        audiences: managementAudiences,
        tenantId,
        authorityHost: info.authorityHost,
        auditLog,
        authorize: authorizer.authorizeControl,
        clientAddress: (request) => clientAddressOf(request.raw.socket.remoteAddress, request.headers['x-forwarded-for']),
        ...(devClock ? { refreshClock: () => devClock.refresh() } : {}),
      },
      graph: {
        operations: [...applicationOperations, ...servicePrincipalOperations, ...groupOperations],
        services: { directory, tenantId },
        verifier,
        principalOf,
        audiences: GRAPH_AUDIENCES,
        auditLog,
        authorize: authorizer.authorizeControl,
        clientAddress: (request) => clientAddressOf(request.raw.socket.remoteAddress, request.headers['x-forwarded-for']),
      },
    });
    const addresses = await server.listen({ port: config.port, host: config.host });
    const privateAddressesListening = await privateListeners.listen(server).catch(async (error: unknown) => {
      await Promise.all([server.close(), privateListeners.close()]);
      throw error;
    });
    logger.debug({ addresses, privateListeners: privateAddressesListening, pid: process.pid }, 'listening');
    return {
      server,
      async close() {
        await Promise.all([server.close(), privateListeners.close()]);
        await Promise.all([auditLog.close(), keyOperationPool.close()]);
      },
    };
  } catch (error) {
    await Promise.all([auditLog.close().catch(() => undefined), keyOperationPool.close()]);
    throw error;
  }
}

async function imdsBindingsOf(db: OpenDataDir['db']): Promise<AppInfo['imdsBindings']> {
  const identities = createIdentityStore(db);
  const bound = await createManagedIdentityStore(db).listImdsBoundIdentities();
  return Promise.all(
    bound.map(async (identity) => {
      const principal = await identities.getPrincipal(identity.principalId);
      return { displayName: principal?.displayName ?? identity.principalId, clientId: principal?.appId ?? '', addresses: identity.imdsAddresses };
    }),
  );
}

/**
 * The token service and the token checks built on it: our own tokens and external issuers' (--external-issuer), the
 * client-credentials grant with every credential type (secrets, certificates, federated tokens), managed identities.
 */
function tokenService(initialized: Initialized, deps: { config: Readonly<Config>; logger: Logger; clock: Clock; issuerUrl: string; resources: string[] }) {
  const { config, logger, clock, issuerUrl, resources } = deps;
  const { db, tenantId } = initialized.dataDir;
  const identities = createIdentityStore(db);
  const clockSkewSeconds = 300;
  const remoteKeys = createRemoteIssuerKeys({
    clock,
    onError: (error) => logger.warn({ issuer: error.issuer, err: describeError(error) }, 'an external OpenID issuer could not be used'),
  });
  const verifier = createTokenVerifier({
    keys: initialized.keys, issuers: [issuerUrl], audiences: resources, clockSkewSeconds, clock,
    external: { issuers: config.externalIssuers.map(parseExternalIssuer), keys: remoteKeys },
  });
  const issuer = createTokenIssuer({ keys: initialized.keys, issuer: issuerUrl, lifetimeSeconds: config.tokenLifetimeSeconds, clock });
  const tenantBase = `${initialized.info.authorityHost}/${tenantId}`;
  const grant = createClientCredentialsGrant({
    identities,
    certificateAssertions: createCertificateAssertionVerifier({
      certificates: createCertificateCredentialStore(db),
      // Clients sign for the token_endpoint of our discovery document; the v1 endpoint is accepted too, as Entra does.
      tokenEndpoints: [`${tenantBase}/oauth2/v2.0/token`, `${tenantBase}/oauth2/token`],
      replay: createReplayGuard({ db }),
      clock,
      clockSkewSeconds,
    }),
    federatedAssertions: createFederatedAssertionVerifier({ federated: createFederatedCredentialStore(db), remoteKeys, clock, clockSkewSeconds }),
    issuer,
    tenantId,
    resources,
    clock,
  });
  const managedIdentityGrant = createManagedIdentityGrant({ identities, managedIdentities: createManagedIdentityStore(db), issuer, resources });
  return { verifier, grant, managedIdentityGrant, principalOf: createTokenPrincipalResolver({ identities, tenantId }) };
}

/** The periodic jobs; one process per data directory runs them. */
export function startJobs(initialized: Initialized, opts: { config: Readonly<Config>; logger: Logger; clock: Clock }) {
  const { config, logger } = opts;
  const objects = createObjectStore(initialized.dataDir.db);
  const devClock = objectClockFor(initialized, config, opts.clock);
  const clock = devClock ?? opts.clock;
  // Rotation generates keys but never uses one, so the pool's threads are never started here.
  const pool = createKeyOperationPool();
  const { rotation } = keysDomain(initialized, { config, logger, clock, pool });
  const { certificates } = certificatesDomain(initialized, { clock, pool });
  // With the development clock, each run first reads the offset the administrator may have moved.
  const onDevClock = (run: () => Promise<unknown>) => (devClock ? async () => (await devClock.refresh(), run()) : run);
  // Several nodes on one PostgreSQL database: the jobs run on whichever holds the scheduler lock.
  const leadership = config.store !== undefined && isPostgresStore(initialized.dataDir.db) ? electLeader({ connectionString: config.store, logger }) : undefined;
  const scheduler = startScheduler({
    ...(leadership ? { leadership } : {}),
    jobs: [
      { name: 'purge-deleted', intervalSeconds: config.purgeIntervalSeconds, run: onDevClock(createPurgeDeletedJob({ objects, clock })) },
      { name: 'purge-deleted-vaults', intervalSeconds: config.purgeIntervalSeconds, run: onDevClock(createPurgeDeletedVaultsJob({ vaults: createVaultStore(initialized.dataDir.db), clock })) },
      // Just-in-time activations that ended no longer count (authorize.ts); this only clears them away.
      { name: 'remove-ended-role-assignments', intervalSeconds: config.purgeIntervalSeconds, run: onDevClock(async () => createAccessControlStore(initialized.dataDir.db).deleteExpiredAssignments(unixSeconds(clock))) },
      // Token requests check assertions against unexpired rows only; this keeps the table small. Real time, as tokens.
      { name: 'forget-expired-assertions', intervalSeconds: config.purgeIntervalSeconds, run: async () => forgetExpiredAssertions(initialized.dataDir.db, unixSeconds(opts.clock)) },
      { name: 'rotate-keys', intervalSeconds: config.rotationIntervalSeconds, run: onDevClock(createRotateKeysJob({ rotation })) },
      {
        name: 'complete-certificate-operations',
        intervalSeconds: config.rotationIntervalSeconds,
        run: onDevClock(createCompleteCertificateOperationsJob({
          certificates, store: createCertificateStore(initialized.dataDir.db), vaults: createVaultStore(initialized.dataDir.db), clock,
        })),
      },
      {
        name: 'renew-certificates',
        intervalSeconds: config.rotationIntervalSeconds,
        run: onDevClock(createRenewCertificatesJob({
          renewal: createCertificateRenewal({
            certificates, store: createCertificateStore(initialized.dataDir.db), objects, events: createEventOutbox(initialized.dataDir.db),
            vaults: createVaultStore(initialized.dataDir.db), vaultUrl: (vault) => `https://${vault.name}.${config.dnsSuffix}:${publicPortOf(config)}`, clock, logger,
          }),
        })),
      },
    ],
    logger,
  });
  return {
    async stop() {
      await scheduler.stop();
      await pool.close();
    },
  };
}

/** The port clients address: a load balancer's in front of several nodes (--public-port), else the one we listen on. */
function publicPortOf(config: Readonly<Config>): number {
  return config.publicPort ?? config.port;
}

/** Objects live on the development clock when it is on (--dev-clock); tokens and audit records on the real one. */
function objectClockFor(initialized: Initialized, config: Readonly<Config>, clock: Clock): DevClock | undefined {
  return config.devClock ? createDevClock({ base: clock, meta: createMetaStore(initialized.dataDir.db) }) : undefined;
}

/** The certificate service and the issuers it issues through; the HTTP server and the scheduler each build their own. */
function certificatesDomain(initialized: Initialized, deps: { clock: Clock; pool: KeyOperationPool }) {
  const { db, envelope } = initialized.dataDir;
  const certificateIssuers = createCertificateIssuerService({ store: createCertificateIssuerStore(db), envelope, clock: deps.clock });
  const certificates = createCertificateService({
    objects: createObjectStore(db),
    store: createCertificateStore(db),
    envelope,
    clock: deps.clock,
    keyProvider: createSoftwareKeyProvider({ pool: deps.pool }),
    issuers: certificateIssuers,
  });
  return { certificates, certificateIssuers };
}

/** The key service and the rotation service over it; the HTTP server and the scheduler each build their own. */
function keysDomain(initialized: Initialized, deps: { config: Readonly<Config>; logger: Logger; clock: Clock; pool: KeyOperationPool }) {
  const { db, envelope } = initialized.dataDir;
  const { config, clock } = deps;
  const keys = createKeyService({ objects: createObjectStore(db), envelope, clock, providers: { software: createSoftwareKeyProvider({ pool: deps.pool }) } });
  const rotation = createKeyRotation({
    keys,
    policies: createRotationPolicyStore(db),
    events: createEventOutbox(db),
    vaults: createVaultStore(db),
    vaultUrl: (vault) => `https://${vault.name}.${config.dnsSuffix}:${publicPortOf(config)}`,
    clock,
    logger: deps.logger,
  });
  return { keys, rotation };
}

async function loadTls(config: Readonly<Config>, clock: Clock) {
  if (config.tlsCert !== undefined && config.tlsKey !== undefined) {
    const [certPem, keyPem] = await Promise.all([readFile(config.tlsCert, 'utf8'), readFile(config.tlsKey, 'utf8')]);
    // With the user's own certificate, clients trust whatever issued it: the CA named by --tls-ca, else the
    // certificate file itself (which then has to hold the chain up to a CA).
    return { certPem, keyPem, caCertPath: path.resolve(config.tlsCa ?? config.tlsCert) };
  }
  return ensureTlsMaterial({ dir: path.join(config.dataDir, 'tls'), dnsSuffix: config.dnsSuffix, extraNames: config.aliases, clock });
}
