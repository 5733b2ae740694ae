// Finds the master key that unlocks every vault key: from COFFER_MASTER_KEY or from <dataDir>/master.key, created on first start.
// It must never echo a key (or a malformed value) in a message, and never accept a key file that others can read.
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { StartupError } from '../errors.js';

export interface MasterKey {
  key: Buffer;
  source: 'environment' | 'file';
  /** 'COFFER_MASTER_KEY' or the absolute path of the key file. */
  location: string;
}

const keyBytes = 32;
const environmentName = 'COFFER_MASTER_KEY';
const expectedFormat = `${keyBytes} random bytes, encoded as base64, base64url or ${keyBytes * 2} hex characters`;

export async function loadMasterKey(opts: {
  dataDir: string;
  environmentValue: string | undefined;
  createIfMissing: boolean;
}): Promise<MasterKey> {
  if (opts.environmentValue !== undefined && opts.environmentValue !== '') {
    const key = decodeKey(opts.environmentValue);
    if (!key) throw new StartupError(`${environmentName} is not a valid master key: it must be ${expectedFormat}.`);
    return { key, source: 'environment', location: environmentName };
  }

  const file = path.resolve(opts.dataDir, 'master.key');
  const existing = await readKeyFile(file);
  if (existing) return { key: existing, source: 'file', location: file };
  if (!opts.createIfMissing) {
    throw new StartupError(`No master key: ${file} does not exist. Restore it, or supply the key in ${environmentName}.`);
  }
  try {
    await createKeyFile(file);
  } catch (error) {
    throw new StartupError(`Cannot create the master key file ${file}: ${errnoCode(error)}.`);
  }
  // Read back rather than trust what we wrote: if another process created the file first, its key is the one in use.
  const created = await readKeyFile(file);
  if (!created) throw new StartupError(`The master key file ${file} disappeared right after it was created.`);
  return { key: created, source: 'file', location: file };
}

/** A fresh key in the format COFFER_MASTER_KEY and master.key expect (base64, no newline). */
export function generateMasterKeyText(): string {
  return randomBytes(keyBytes).toString('base64');
}

function decodeKey(text: string): Buffer | undefined {
  const value = text.trim();
  // Hex first: 64 hex characters are also valid base64 and would decode to 48 bytes.
  if (/^[0-9a-fA-F]+$/.test(value) && value.length === keyBytes * 2) return Buffer.from(value, 'hex');
  // Node's base64 decoder accepts both alphabets, but silently skips junk, so check the alphabet first.
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return undefined;
  const key = Buffer.from(value, 'base64');
  return key.length === keyBytes ? key : undefined;
}

async function readKeyFile(file: string): Promise<Buffer | undefined> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw new StartupError(`Cannot read the master key file ${file}: ${errnoCode(error)}.`);
  }
  // POSIX permission bits mean little on Windows, where access is governed by ACLs.
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new StartupError(
      `The master key file ${file} can be read by other users (mode ${(mode & 0o777).toString(8)}). Run: chmod 600 '${file}'`,
    );
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new StartupError(`Cannot read the master key file ${file}: ${errnoCode(error)}.`);
  }
  const key = decodeKey(text);
  if (!key) throw new StartupError(`The master key file ${file} is malformed: it must hold ${expectedFormat}.`);
  return key;
}

async function createKeyFile(file: string): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    // 'wx' with mode 0600: the key is never readable by others, not even for a moment.
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${generateMasterKeyText()}\n`, 'utf8');
      await handle.sync(); // losing this file after vault keys were wrapped with it would lose every vault
    } finally {
      await handle.close();
    }
    // link, unlike rename, refuses to replace an existing file: when two processes start together,
    // exactly one key file wins and the other process reads it instead of overwriting it.
    try {
      await link(temp, file);
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
    }
    await syncDirectory(dir);
  } finally {
    await unlink(temp).catch(() => {});
  }
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the new directory entry durable; not every platform can open a directory, and that is not fatal.
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync().catch(() => {});
  } finally {
    await handle.close();
  }
}

function isErrno(error: unknown, code: string): boolean {
  return errnoCode(error) === code;
}

function errnoCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unknown error';
}
