// `coffer store copy --from … --to …`: moves a whole server to another store (SQLite data directory ↔ PostgreSQL)
// without decrypting anything. The copying is store/copy.ts; this file reads the locations, opens both stores (which
// brings their schemas up to date) and prints what was copied.
import type { Command } from 'commander';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { AUDIT_DATABASE_FILE, DATABASE_FILE } from '../data-dir.js';
import { StartupError } from '../errors.js';
import { copyStore, openAuditFile, type AuditFile } from '../store/copy.js';
import { openPostgresStore, openSqliteStore, redactUrl, type Db } from '../store/open.js';
import { isPostgresUrl } from '../store/postgres.js';
import { print } from './admin.js';

export type StoreLocation = { kind: 'sqlite'; file: string; auditFile: string } | { kind: 'postgres'; url: string };

const locationForms = 'sqlite:DATA_DIR (or sqlite:DATA_DIR/coffer.db) or postgres://USER[:PASSWORD]@HOST:PORT/DATABASE';

/**
 * `sqlite:PATH`, PATH a data directory or the coffer.db in one (a missing PATH ending in .db names the file), or a
 * `postgres://` URL.
 */
export function parseStoreLocation(text: string): StoreLocation {
  if (isPostgresUrl(text)) {
    try {
      new URL(text);
    } catch {
      throw new StartupError(`'${redactUrl(text)}' is not a valid PostgreSQL URL.`);
    }
    return { kind: 'postgres', url: text };
  }
  const match = /^sqlite:(.+)$/i.exec(text);
  if (!match) throw new StartupError(`'${redactUrl(text)}' is not a store location: use ${locationForms}.`);
  // sqlite:///abs/path and sqlite://relative/path as in URLs.
  const given = path.resolve(match[1]!.startsWith('//') ? match[1]!.slice(2) : match[1]!);
  const isFile = existsSync(given) ? statSync(given).isFile() : given.endsWith('.db');
  const file = isFile ? given : path.join(given, DATABASE_FILE);
  return { kind: 'sqlite', file, auditFile: path.join(path.dirname(file), AUDIT_DATABASE_FILE) };
}

/** What tells two locations apart: the database file's real path, or PostgreSQL's host, port and database. */
export function locationIdentity(location: StoreLocation): string {
  if (location.kind === 'sqlite') {
    const dir = path.dirname(location.file);
    return `sqlite:${path.join(existsSync(dir) ? realpathSync(dir) : dir, path.basename(location.file))}`;
  }
  const url = new URL(location.url);
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || decodeURIComponent(url.username) || 'postgres';
  return `postgres://${url.hostname.toLowerCase()}:${url.port || '5432'}/${database}`;
}

export function describeLocation(location: StoreLocation): string {
  return location.kind === 'sqlite' ? `sqlite:${location.file}` : redactUrl(location.url);
}

interface OpenedLocation {
  db: Db;
  auditFile: AuditFile | undefined;
  close(): Promise<void>;
}

async function openLocation(location: StoreLocation, role: 'source' | 'target'): Promise<OpenedLocation> {
  if (location.kind === 'postgres') {
    const db = await openPostgresStore({ url: location.url });
    return { db, auditFile: undefined, close: () => db.destroy() };
  }
  if (role === 'source' && !existsSync(location.file)) {
    throw new StartupError(`There is no Coffer database at ${location.file}.`);
  }
  if (role === 'target') await mkdir(path.dirname(location.file), { recursive: true, mode: 0o700 });
  const db = await openSqliteStore({ file: location.file });
  let auditFile: AuditFile | undefined;
  try {
    // The target's audit.db is made now (empty, as a server makes it at first start), so the emptiness check also
    // sees records a server left there.
    auditFile = openAuditFile(location.auditFile, { create: role === 'target' });
  } catch (error) {
    await db.destroy();
    throw new StartupError(`Cannot open the audit database ${location.auditFile}: ${(error as Error).message}`);
  }
  return {
    db,
    auditFile,
    close: async () => {
      await Promise.allSettled([db.destroy(), auditFile?.destroy()]);
    },
  };
}

export const masterKeyReminder =
  "Nothing was decrypted. Every node serving the copy needs the source's master key: the master.key file of its data directory " +
  '(mode 0600) or COFFER_MASTER_KEY with the same value. The master key check was copied, so a node with another key refuses to start.';

export async function runStoreCopy(flags: { from: string; to: string }): Promise<{ from: string; to: string; tables: Record<string, number>; masterKey: string }> {
  const from = parseStoreLocation(flags.from);
  const to = parseStoreLocation(flags.to);
  if (locationIdentity(from) === locationIdentity(to)) {
    throw new StartupError(`--from and --to name the same store (${describeLocation(from)}).`);
  }
  if (from.kind === 'sqlite' && to.kind === 'sqlite' && locationIdentity({ ...from, file: from.auditFile }) === locationIdentity({ ...to, file: to.auditFile })) {
    throw new StartupError(`--from and --to share a data directory and its audit database (${from.auditFile}); copy into another directory.`);
  }
  const source = await openLocation(from, 'source');
  try {
    const target = await openLocation(to, 'target');
    try {
      const { tables } = await copyStore({ from: source, to: target });
      return { from: describeLocation(from), to: describeLocation(to), tables, masterKey: masterKeyReminder };
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

export function addStoreCommands(program: Command): void {
  const store = program.command('store').description('move a server between stores (SQLite data directory, PostgreSQL)');
  store
    .command('copy')
    .description(
      'copy everything a server stores (vaults, object versions, deleted objects, identities, roles, server meta, rotation policies, ' +
        'event outbox, audit records) into an empty store, byte for byte, without decrypting anything; no master key is needed. ' +
        'Stop the servers on the source first: changes made after the copy begins are not in it.',
    )
    .requiredOption('--from <location>', `the store to copy: ${locationForms}`)
    .requiredOption('--to <location>', 'the empty store to copy into, in the same forms (a SQLite data directory is created if missing)')
    .action(async (flags: { from: string; to: string }) => {
      print(await runStoreCopy(flags));
    });
}
