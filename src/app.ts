// The composition root: builds each part once, in the order DESIGN.md draws them, and hands each its
// dependencies. Nothing here is a singleton; tests build as many apps as they like.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createAuditLog, type AuditLog } from './audit/audit-log.js';
import { createSqliteWorkerSink } from './audit/sinks/sqlite-worker.js';
import { createJsonlFileSink } from './audit/sinks/jsonl-file.js';
import { createClientCredentialsGrant } from './auth/tokens/client-credentials.js';
import { createTokenIssuer } from './auth/tokens/issue.js';
import { loadSigningKeys } from './auth/tokens/signing-keys.js';
import { audiencesFor, createTokenVerifier } from './auth/tokens/verify.js';
import { ADMIN_CREDENTIALS_FILE, ensureAdministrator, ensureDefaultVault } from './bootstrap.js';
import type { Clock } from './clock.js';
import type { Config } from './config/schema.js';
import { DATABASE_FILE, openDataDir, RESOURCE_GROUP } from './data-dir.js';
import { createPrincipalService } from './domain/identities/principal-service.js';
import { createSecretService } from './domain/secrets/secret-service.js';
import { createVaultService } from './domain/vaults/vault-service.js';
import { secretOperations } from './http/data-plane/secrets/index.js';
import { createAuditStage } from './http/pipeline/audit.js';
import { createAuthenticator } from './http/pipeline/authenticate.js';
import { createVaultResolver } from './http/pipeline/resolve-vault.js';
import { buildHttpServer } from './http/server.js';
import { createPurgeDeletedJob } from './scheduler/purge-deleted.js';
import { startScheduler } from './scheduler/scheduler.js';
import { createIdentityStore } from './store/identities.js';
import { createMetaStore } from './store/meta.js';
import { createObjectStore } from './store/objects.js';
import { createSigningKeyStore } from './store/signing-keys.js';
import { createVaultStore } from './store/vaults.js';
import { ensureTlsMaterial } from './tls/certificates.js';

export interface RunningApp {
  server: FastifyInstance;
  /** The URLs and paths a user needs, printed at start. */
  info: { vaultUrl: string; authorityHost: string; tenantId: string; caCertPath: string; credentialsFile: string; dataDir: string; masterKey: string };
  /** Stops accepting requests, lets in-flight ones finish, flushes the audit log and closes storage. */
  close(): Promise<void>;
}

export async function startApp(opts: { config: Readonly<Config>; masterKeyFromEnvironment: string | undefined; logger: Logger; clock: Clock }): Promise<RunningApp> {
  const { config, logger, clock } = opts;
  const dataDir = await openDataDir({ dataDir: config.dataDir, masterKeyFromEnvironment: opts.masterKeyFromEnvironment, allowInitialize: true });
  const { db, envelope, tenantId, subscriptionId } = dataDir;
  let auditLog: AuditLog | undefined;
  try {
    const authorityHost = config.authorityHost ?? `https://localhost:${config.port}`;
    const vaultUrl = `https://localhost:${config.port}`;
    const tls = await loadTls(config, clock);

    const vaultStore = createVaultStore(db);
    const identityStore = createIdentityStore(db);
    const objects = createObjectStore(db);
    const meta = createMetaStore(db);
    const vaults = createVaultService({ vaults: vaultStore, envelope, clock, defaultRetentionDays: config.defaultRetentionDays });
    const principals = createPrincipalService({ identities: identityStore, tenantId, clock });
    await ensureDefaultVault(vaults);
    await ensureAdministrator({
      dataDir: config.dataDir, meta, principals, tenantId, logger,
      endpoints: { authorityHost, vaultUrl, caCertPath: tls.caCertPath },
    });

    const keys = await loadSigningKeys({ store: createSigningKeyStore(db), sealer: envelope, clock });
    const issuerUrl = `${authorityHost}/${tenantId}/v2.0`;
    const audiences = audiencesFor({ dnsSuffix: config.dnsSuffix, ports: [config.port] });
    const verifier = createTokenVerifier({ keys, issuers: [issuerUrl], audiences, clockSkewSeconds: 300, clock });
    const issuer = createTokenIssuer({ keys, issuer: issuerUrl, lifetimeSeconds: config.tokenLifetimeSeconds, clock });
    const grant = createClientCredentialsGrant({ identities: identityStore, issuer, tenantId, resources: audiences, clock });

    await mkdir(path.join(config.dataDir, 'audit'), { recursive: true, mode: 0o700 });
    auditLog = createAuditLog({
      sinks: [
        createSqliteWorkerSink({ file: path.join(config.dataDir, DATABASE_FILE) }),
        createJsonlFileSink({ dir: path.join(config.dataDir, 'audit'), clock }),
      ],
    });

    const server = buildHttpServer({
      tls: { cert: tls.certPem, key: tls.keyPem },
      logger,
      identity: { tenantId, authorityHost, jwks: () => keys.jwks(), grant, logger },
      dataPlane: {
        operations: secretOperations,
        services: { secrets: createSecretService({ objects, envelope, clock }) },
        resolveVault: createVaultResolver({ vaults: vaultStore, dnsSuffix: config.dnsSuffix, aliases: config.aliases }),
        authenticate: createAuthenticator({ verifier, identities: identityStore, authorityHost, tenantId, dnsSuffix: config.dnsSuffix }),
        audit: createAuditStage({ auditLog, subscriptionId, resourceGroup: RESOURCE_GROUP }),
        dnsSuffix: config.dnsSuffix,
        aliases: config.aliases,
      },
    });
    await server.listen({ port: config.port, host: config.host });
    const scheduler = startScheduler({
      jobs: [{ name: 'purge-deleted', intervalSeconds: config.purgeIntervalSeconds, run: createPurgeDeletedJob({ objects, clock }) }],
      logger,
    });

    const openedAudit = auditLog;
    return {
      server,
      info: {
        vaultUrl, authorityHost, tenantId, caCertPath: tls.caCertPath, dataDir: config.dataDir,
        credentialsFile: path.join(config.dataDir, ADMIN_CREDENTIALS_FILE),
        masterKey: `${dataDir.masterKey.source} (${dataDir.masterKey.location})`,
      },
      async close() {
        await server.close();
        await scheduler.stop();
        await openedAudit.close();
        await db.destroy();
      },
    };
  } catch (error) {
    await auditLog?.close().catch(() => undefined);
    await db.destroy();
    throw error;
  }
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
