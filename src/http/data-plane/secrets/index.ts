// Every secrets operation of the 2026-04-01 data plane, one file each, named after its operationId.
import backupSecret from './backup-secret.js';
import deleteSecret from './delete-secret.js';
import getDeletedSecret from './get-deleted-secret.js';
import getDeletedSecrets from './get-deleted-secrets.js';
import getSecret from './get-secret.js';
import getSecretVersions from './get-secret-versions.js';
import getSecrets from './get-secrets.js';
import purgeDeletedSecret from './purge-deleted-secret.js';
import recoverDeletedSecret from './recover-deleted-secret.js';
import restoreSecret from './restore-secret.js';
import setSecret from './set-secret.js';
import updateSecret from './update-secret.js';

export const secretOperations = [
  setSecret, getSecret, updateSecret, getSecrets, getSecretVersions, deleteSecret,
  getDeletedSecret, getDeletedSecrets, recoverDeletedSecret, purgeDeletedSecret, backupSecret, restoreSecret,
];
