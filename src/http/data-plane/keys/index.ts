// Every keys operation of the 2026-04-01 data plane, one file each named after its operationId (the six
// cryptographic operations share one file).
import backupKey from './backup-key.js';
import createKey from './create-key.js';
import { cryptographicOperations } from './cryptographic-operations.js';
import deleteKey from './delete-key.js';
import getDeletedKey from './get-deleted-key.js';
import getDeletedKeys from './get-deleted-keys.js';
import getKey from './get-key.js';
import getKeyRotationPolicy from './get-key-rotation-policy.js';
import getKeyVersions from './get-key-versions.js';
import getKeys from './get-keys.js';
import getRandomBytes from './get-random-bytes.js';
import importKey from './import-key.js';
import purgeDeletedKey from './purge-deleted-key.js';
import recoverDeletedKey from './recover-deleted-key.js';
import restoreKey from './restore-key.js';
import rotateKey from './rotate-key.js';
import updateKey from './update-key.js';
import updateKeyRotationPolicy from './update-key-rotation-policy.js';

export const keyOperations = [
  createKey, importKey, getKey, updateKey, getKeys, getKeyVersions, deleteKey,
  getDeletedKey, getDeletedKeys, recoverDeletedKey, purgeDeletedKey, backupKey, restoreKey,
  rotateKey, getKeyRotationPolicy, updateKeyRotationPolicy,
  ...cryptographicOperations, getRandomBytes,
];
