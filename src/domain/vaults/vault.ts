// What a vault is and Azure's rules about it: name syntax and the recovery level its settings imply.
import { errors } from '../../errors.js';

export interface Vault {
  id: string;
  /** Lower-case DNS label. */
  name: string;
  createdAt: number;
  /** Soft-delete retention, 7–90 days; fixed at creation as in Azure. */
  retentionDays: number;
  /** Once on, deleted objects cannot be purged before their retention ends. */
  purgeProtection: boolean;
  /** The vault key, wrapped by the master key. */
  wrappedKey: Buffer;
}

export const DEFAULT_VAULT_NAME = 'default';

/** Azure: 3–24 characters, letters, digits and hyphens, starting with a letter, ending with a letter or digit, no '--'. */
export function isValidVaultName(name: string): boolean {
  return /^[a-zA-Z](?:[a-zA-Z0-9]|-(?!-)){1,22}[a-zA-Z0-9]$/.test(name);
}

export function assertValidVaultName(name: string): void {
  if (!isValidVaultName(name)) {
    throw errors.badParameter(
      `The vault name '${name}' is invalid. A vault name must be 3-24 characters, contain only letters, digits and hyphens, start with a letter, end with a letter or digit and not contain consecutive hyphens.`,
    );
  }
}

/** Soft delete is always on (Azure made it mandatory); the level depends on retention and purge protection. */
export function recoveryLevel(vault: Pick<Vault, 'retentionDays' | 'purgeProtection'>): string {
  const customized = vault.retentionDays < 90 ? 'CustomizedRecoverable' : 'Recoverable';
  return vault.purgeProtection ? customized : `${customized}+Purgeable`;
}
