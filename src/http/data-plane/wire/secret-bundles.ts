// Domain secrets → Azure's JSON: SecretBundle, SecretItem, DeletedSecretBundle, DeletedSecretItem. Times are
// Unix seconds; optional members are left out rather than sent as null, as Azure does.
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

function common(vault: Vault, item: ObjectWithVersion) {
  const body: { contentType?: string; attributes: WireAttributes; tags?: Record<string, string> } = { attributes: toWireAttributes(vault, item) };
  if (item.version.contentType !== null) body.contentType = item.version.contentType;
  if (item.version.tags !== null) body.tags = item.version.tags;
  return body;
}

export function secretId(baseUrl: string, item: ObjectWithVersion): string {
  return objectUrl(baseUrl, 'secrets', item.object.name, item.version.version);
}

/** The bundle of one version; `value` only for SetSecret and GetSecret. */
export function toSecretBundle(baseUrl: string, vault: Vault, item: ObjectWithVersion, value?: string) {
  return { ...(value === undefined ? {} : { value }), id: secretId(baseUrl, item), ...common(vault, item) };
}

/** GetSecrets lists the unversioned id; GetSecretVersions the versioned one. */
export function toSecretItem(baseUrl: string, vault: Vault, item: ObjectWithVersion, opts: { versioned: boolean }) {
  const id = opts.versioned ? secretId(baseUrl, item) : objectUrl(baseUrl, 'secrets', item.object.name);
  return { id, ...common(vault, item) };
}

function deletedMembers(baseUrl: string, item: ObjectWithVersion) {
  return {
    recoveryId: objectUrl(baseUrl, 'deletedsecrets', item.object.name),
    deletedDate: item.object.deletedAt ?? undefined,
    scheduledPurgeDate: item.object.scheduledPurgeAt ?? undefined,
  };
}

export function toDeletedSecretBundle(baseUrl: string, vault: Vault, item: ObjectWithVersion) {
  return { ...deletedMembers(baseUrl, item), ...toSecretBundle(baseUrl, vault, item) };
}

export function toDeletedSecretItem(baseUrl: string, vault: Vault, item: ObjectWithVersion) {
  return { ...deletedMembers(baseUrl, item), ...toSecretItem(baseUrl, vault, item, { versioned: false }) };
}
