// The access-policy model (a vault with enableRbacAuthorization: false): the vault's own list of entries, each naming
// a principal (or a group it belongs to), optionally an application (compound identity: that principal acting
// through that application only), and permission lists per object kind. Azure compares permissions without regard
// to case; 'all' grants every permission of its kind, and 'manageissuers' every issuer permission.
import type { AccessPolicyEntry } from '../../domain/vaults/vault.js';
import type { PolicyPermission } from './operation-permissions.js';

const ISSUER_PERMISSIONS = new Set(['getissuers', 'listissuers', 'setissuers', 'deleteissuers']);

export interface PolicyCaller {
  tenantId: string;
  /** The caller's object id and those of the groups it belongs to. */
  objectIds: ReadonlySet<string>;
  appId: string;
}

/** Whether some entry matching the caller grants the permission. */
export function accessPolicyAllows(entries: readonly AccessPolicyEntry[], caller: PolicyCaller, needed: PolicyPermission): boolean {
  return entries.some((entry) => entryMatches(entry, caller) && grants(entry.permissions[needed.collection], needed.permission));
}

function entryMatches(entry: AccessPolicyEntry, caller: PolicyCaller): boolean {
  if (entry.tenantId.toLowerCase() !== caller.tenantId.toLowerCase()) return false;
  if (!caller.objectIds.has(entry.objectId.toLowerCase())) return false;
  return entry.applicationId === undefined || entry.applicationId.toLowerCase() === caller.appId.toLowerCase();
}

function grants(list: readonly string[], permission: string): boolean {
  return list.some((held) => {
    const value = held.toLowerCase();
    return value === 'all' || value === permission || (value === 'manageissuers' && ISSUER_PERMISSIONS.has(permission));
  });
}
