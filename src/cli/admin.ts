// `coffer vault …` and `coffer principal …`: administration over a data directory, running or not (SQLite
// allows a second process; the server reads vaults and principals from storage on every request).
import type { Command } from 'commander';
import path from 'node:path';
import { systemClock } from '../clock.js';
import { openDataDir } from '../data-dir.js';
import { createPrincipalService } from '../domain/identities/principal-service.js';
import { createVaultService } from '../domain/vaults/vault-service.js';
import { createIdentityStore } from '../store/identities.js';
import { createVaultStore } from '../store/vaults.js';

const dataDirOption = ['--data-dir <dir>', 'the server data directory [env COFFER_DATA_DIR]'] as const;

async function withDataDir<T>(flags: { dataDir?: string }, fn: (opened: Awaited<ReturnType<typeof openDataDir>>) => Promise<T>): Promise<T> {
  const dataDir = path.resolve(flags.dataDir ?? process.env.COFFER_DATA_DIR ?? './data');
  const opened = await openDataDir({ dataDir, masterKeyFromEnvironment: process.env.COFFER_MASTER_KEY, allowInitialize: false });
  try {
    return await fn(opened);
  } finally {
    await opened.db.destroy();
  }
}

function vaultServiceOf(opened: Awaited<ReturnType<typeof openDataDir>>) {
  return createVaultService({ vaults: createVaultStore(opened.db), envelope: opened.envelope, clock: systemClock, defaultRetentionDays: 90 });
}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

export function addAdminCommands(program: Command): void {
  const vault = program.command('vault').description('create, list and delete vaults');
  vault
    .command('create <name>')
    .description('create a vault, served at https://<name>.<dns suffix>:<port>')
    .option(...dataDirOption)
    .option('--retention-days <days>', 'soft-delete retention, 7-90 days', '90')
    .option('--purge-protection', 'forbid purging deleted objects before their retention ends (irreversible)', false)
    .action(async (name: string, flags: { dataDir?: string; retentionDays: string; purgeProtection: boolean }) => {
      const created = await withDataDir(flags, (opened) =>
        vaultServiceOf(opened).createVault({ name, retentionDays: Number(flags.retentionDays), purgeProtection: flags.purgeProtection }),
      );
      print({ name: created.name, retentionDays: created.retentionDays, purgeProtection: created.purgeProtection });
    });
  vault
    .command('list')
    .description('list vaults')
    .option(...dataDirOption)
    .action(async (flags: { dataDir?: string }) => {
      const vaults = await withDataDir(flags, (opened) => vaultServiceOf(opened).listVaults());
      print(vaults.map((v) => ({ name: v.name, retentionDays: v.retentionDays, purgeProtection: v.purgeProtection, created: new Date(v.createdAt * 1000).toISOString() })));
    });
  vault
    .command('delete <name>')
    .description('soft-delete a vault: it serves nothing and is purged, with everything in it, when its retention ends (recover or purge it through the management API)')
    .option(...dataDirOption)
    .action(async (name: string, flags: { dataDir?: string }) => {
      await withDataDir(flags, (opened) => vaultServiceOf(opened).deleteVault(name));
      print({ deleted: name.toLowerCase() });
    });

  vault
    .command('recover <name>')
    .description('recover a soft-deleted vault with everything it held')
    .option(...dataDirOption)
    .action(async (name: string, flags: { dataDir?: string }) => {
      await withDataDir(flags, (opened) => vaultServiceOf(opened).recoverVault(name));
      print({ recovered: name.toLowerCase() });
    });
  vault
    .command('purge <name>')
    .description('destroy a soft-deleted vault and everything in it now (refused under purge protection until its retention ends)')
    .option(...dataDirOption)
    .action(async (name: string, flags: { dataDir?: string }) => {
      await withDataDir(flags, (opened) => vaultServiceOf(opened).purgeVault(name));
      print({ purged: name.toLowerCase() });
    });

  const principal = program.command('principal').description('service principals of the built-in token service');
  principal
    .command('create <displayName>')
    .description('create a service principal and print its client credentials (the secret is shown only once)')
    .option(...dataDirOption)
    .option('--trusted-service', 'mark it as a trusted service: vault firewalls whose bypass is AzureServices let it through')
    .action(async (displayName: string, flags: { dataDir?: string; trustedService?: boolean }) => {
      const created = await withDataDir(flags, (opened) =>
        createPrincipalService({ identities: createIdentityStore(opened.db), tenantId: opened.tenantId, clock: systemClock }).createServicePrincipal({
          displayName,
          isAdmin: false,
          isTrustedService: flags.trustedService === true,
        }),
      );
      print({ tenantId: created.principal.tenantId, clientId: created.principal.appId, clientSecret: created.clientSecret, objectId: created.principal.objectId });
    });
  principal
    .command('list')
    .description('list service principals (never their secrets)')
    .option(...dataDirOption)
    .action(async (flags: { dataDir?: string }) => {
      const principals = await withDataDir(flags, (opened) => createIdentityStore(opened.db).listPrincipals());
      print(principals.map((p) => ({ displayName: p.displayName, clientId: p.appId, objectId: p.objectId, administrator: p.isAdmin, trustedService: p.isTrustedService })));
    });
}
