// Domain secrets → Azure's JSON: SecretBundle, SecretItem, DeletedSecretBundle, DeletedSecretItem.
import type { ObjectWithVersion } from '../../../domain/objects/stored-object.js';
import type { Vault } from '../../../domain/vaults/vault.js';
import { deletedMembers, toWireAttributes, type WireAttributes } from './object-attributes.js';
import { objectUrl } from './object-ids.js';

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

export function toDeletedSecretBundle(baseUrl: string, vault: Vault, item: ObjectWithVersion) {
  return { ...deletedMembers(baseUrl, 'deletedsecrets', item), ...toSecretBundle(baseUrl, vault, item) };
}

export function toDeletedSecretItem(baseUrl: string, vault: Vault, item: ObjectWithVersion) {
  return { ...deletedMembers(baseUrl, 'deletedsecrets', item), ...toSecretItem(baseUrl, vault, item, { versioned: false }) };
}
