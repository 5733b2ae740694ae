// What every kind's wire shape shares: the attributes object and the members of a deleted object's bundle.
// Times are Unix seconds; optional members are left out rather than sent as null, as Azure does.
import type { ObjectWithVersion } from '../../../domain/objects/stored-object.js';
import { recoveryLevel, type Vault } from '../../../domain/vaults/vault.js';
import { objectUrl } from './object-ids.js';

export interface WireAttributes {
  enabled: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
  recoveryLevel: string;
  recoverableDays: number;
}

export function toWireAttributes(vault: Vault, item: ObjectWithVersion): WireAttributes {
  const { version } = item;
  const attributes: WireAttributes = {
    enabled: version.enabled,
    created: version.createdAt,
    updated: version.updatedAt,
    recoveryLevel: recoveryLevel(vault),
    recoverableDays: vault.retentionDays,
  };
  if (version.notBefore !== null) attributes.nbf = version.notBefore;
  if (version.expires !== null) attributes.exp = version.expires;
  return attributes;
}

/** recoveryId, deletedDate and scheduledPurgeDate; `deletedCollection` is e.g. 'deletedsecrets'. */
export function deletedMembers(baseUrl: string, deletedCollection: string, item: ObjectWithVersion) {
  return {
    recoveryId: objectUrl(baseUrl, deletedCollection, item.object.name),
    deletedDate: item.object.deletedAt ?? undefined,
    scheduledPurgeDate: item.object.scheduledPurgeAt ?? undefined,
  };
}
