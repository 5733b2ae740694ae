// `coffer vault …`: administration over a data directory, running or not (SQLite allows a second process; the
// server reads vaults and principals from storage on every request). `coffer principal …` and `coffer identity …`
// live in principal-commands.ts.
import type { Command } from 'commander';
import path from 'node:path';
import { systemClock } from '../clock.js';
import { openDataDir } from '../data-dir.js';
import { createVaultService } from '../domain/vaults/vault-service.js';
import { createVaultStore } from '../store/vaults.js';

export const dataDirOption = ['--data-dir <dir>', 'the server data directory [env COFFER_DATA_DIR]'] as const;

export const storeOption = ['--store <url>', 'the PostgreSQL store the server runs on, when it does (postgres://…) [env COFFER_STORE_URL]'] as const;

export const dataDirPath = (flags: { dataDir?: string }) => path.resolve(flags.dataDir ?? process.env.COFFER_DATA_DIR ?? './data');

/** Opens the server's storage as the server does: the data directory (master key), and the store it names. */
export async function withDataDir<T>(flags: { dataDir?: string; store?: string }, fn: (opened: Awaited<ReturnType<typeof openDataDir>>) => Promise<T>): Promise<T> {
  const opened = await openDataDir({ dataDir: dataDirPath(flags), store: flags.store || process.env.COFFER_STORE_URL || undefined, masterKeyFromEnvironment: process.env.COFFER_MASTER_KEY, allowInitialize: false });
  try {
    return await fn(opened);
  } finally {
    await opened.db.destroy();
  }
}

function vaultServiceOf(opened: Awaited<ReturnType<typeof openDataDir>>) {
  return createVaultService({ vaults: createVaultStore(opened.db), envelope: opened.envelope, clock: systemClock, defaultRetentionDays: 90, subscriptionId: opened.subscriptionId });
}

export const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

export function addAdminCommands(program: Command): void {
  const vault = program.command('vault').description('create, list and delete vaults');
  vault
    .command('create <name>')
    .description('create a vault, served at https://<name>.<dns suffix>:<port>')
    .option(...dataDirOption)
    .option(...storeOption)
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
    .option(...storeOption)
    .action(async (flags: { dataDir?: string }) => {
      const vaults = await withDataDir(flags, (opened) => vaultServiceOf(opened).listVaults());
      print(vaults.map((v) => ({ name: v.name, retentionDays: v.retentionDays, purgeProtection: v.purgeProtection, created: new Date(v.createdAt * 1000).toISOString() })));
    });
  vault
    .command('delete <name>')
    .description('soft-delete a vault: it serves nothing and is purged, with everything in it, when its retention ends (recover or purge it through the management API)')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (name: string, flags: { dataDir?: string }) => {
      await withDataDir(flags, (opened) => vaultServiceOf(opened).deleteVault(name));
      print({ deleted: name.toLowerCase() });
    });

  vault
    .command('recover <name>')
    .description('recover a soft-deleted vault with everything it held')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (name: string, flags: { dataDir?: string }) => {
      await withDataDir(flags, (opened) => vaultServiceOf(opened).recoverVault(name));
      print({ recovered: name.toLowerCase() });
    });
  vault
    .command('purge <name>')
    .description('destroy a soft-deleted vault and everything in it now (refused under purge protection until its retention ends)')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (name: string, flags: { dataDir?: string }) => {
      await withDataDir(flags, (opened) => vaultServiceOf(opened).purgeVault(name));
      print({ purged: name.toLowerCase() });
    });
}
