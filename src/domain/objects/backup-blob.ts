// The plaintext layout of a backup blob, before the envelope seals it. A blob holds every version of one
// object; the sealing (AES-256-GCM under a master-key-derived key) makes it opaque and tamper-evident.
import { errors } from '../../errors.js';
import { isValidObjectName, isValidVersion } from './names.js';
import type { ObjectKind } from './stored-object.js';

export const BACKUP_FORMAT = 'coffer-backup-1';

export interface BackupVersion {
  version: string;
  seq: number;
  enabled: boolean;
  notBefore: number | null;
  expires: number | null;
  createdAt: number;
  updatedAt: number;
  contentType: string | null;
  tags: Record<string, string> | null;
  /** The kind's own public properties (absent in blobs written before keys existed). */
  properties?: Record<string, unknown> | null;
  /** base64 of the sensitive bytes. */
  value: string;
}

export interface BackupPayload {
  format: typeof BACKUP_FORMAT;
  kind: ObjectKind;
  name: string;
  createdAt: number;
  versions: BackupVersion[];
}

export function encodeBackupPayload(payload: BackupPayload): Buffer {
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

/** Parses an opened blob; anything unexpected is a corrupt blob, whatever the cause. */
export function decodeBackupPayload(bytes: Buffer, expectedKind: ObjectKind): BackupPayload {
  let payload: BackupPayload;
  try {
    payload = JSON.parse(bytes.toString('utf8')) as BackupPayload;
  } catch {
    throw errors.malformedBackup();
  }
  if (payload?.format !== BACKUP_FORMAT || typeof payload.name !== 'string' || !isValidObjectName(payload.name) || !Array.isArray(payload.versions) || payload.versions.length === 0) {
    throw errors.malformedBackup();
  }
  if (payload.kind !== expectedKind) throw errors.backupWrongKind(expectedKind);
  for (const version of payload.versions) {
    if (typeof version?.version !== 'string' || !isValidVersion(version.version) || typeof version.value !== 'string' || !Number.isSafeInteger(version.seq)) {
      throw errors.malformedBackup();
    }
  }
  return payload;
}
