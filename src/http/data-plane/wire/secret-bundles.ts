// Domain secrets → Azure's JSON: SecretBundle, SecretItem, DeletedSecretBundle, DeletedSecretItem.
import type { ObjectWithVersion } from '../../../domain/objects/stored-object.js';
import { isManaged } from '../../../domain/objects/object-lifecycle.js';
import type { Vault } from '../../../domain/vaults/vault.js';
import { deletedMembers, toWireAttributes, type WireAttributes } from './object-attributes.js';
import { objectUrl } from './object-ids.js';

function common(vault: Vault, item: ObjectWithVersion) {
  const body: { contentType?: string; attributes: WireAttributes; tags?: Record<string, string>; managed?: true; previousVersion?: string } = {
    attributes: toWireAttributes(vault, item),
  };
  if (item.version.contentType !== null) body.contentType = item.version.contentType;
  if (item.version.tags !== null) body.tags = item.version.tags;
  // The secret of a certificate: Azure marks it managed (its lifetime is the certificate's) and names the certificate
  // version before it, if any.
  if (isManaged(item.version)) {
    body.managed = true;
    const previous = item.version.properties?.['previousVersion'];
    if (typeof previous === 'string') body.previousVersion = previous;
  }
  return body;
}

export function secretId(baseUrl: string, item: ObjectWithVersion): string {
  return objectUrl(baseUrl, 'secrets', item.object.name, item.version.version);
}

/** The bundle of one version; `value` only for SetSecret and GetSecret. A certificate's secret names its key (kid). */
export function toSecretBundle(baseUrl: string, vault: Vault, item: ObjectWithVersion, value?: string) {
  const kid = isManaged(item.version) ? { kid: objectUrl(baseUrl, 'keys', item.object.name, item.version.version) } : {};
  return { ...(value === undefined ? {} : { value }), id: secretId(baseUrl, item), ...common(vault, item), ...kid };
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
