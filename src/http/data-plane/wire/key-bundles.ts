// Domain keys → Azure's JSON: KeyBundle, KeyItem, DeletedKeyBundle, DeletedKeyItem and KeyOperationResult. The
// `key` member is a JSON Web Key with public members only: private members and `k` never leave the server.
import type { KeyVersionView } from '../../../domain/keys/key-service.js';
import { isManaged } from '../../../domain/objects/object-lifecycle.js';
import type { Vault } from '../../../domain/vaults/vault.js';
import { deletedMembers, toWireAttributes } from './object-attributes.js';
import { objectUrl } from './object-ids.js';

export function keyId(baseUrl: string, item: KeyVersionView): string {
  return objectUrl(baseUrl, 'keys', item.object.name, item.version.version);
}

function toJsonWebKey(kid: string, item: KeyVersionView) {
  const { kty: _kty, ...publicMembers } = item.key.public;
  return { kid, kty: item.key.kty, key_ops: item.key.keyOps, ...publicMembers };
}

function common(vault: Vault, item: KeyVersionView) {
  return {
    attributes: { ...toWireAttributes(vault, item), exportable: item.key.exportable },
    ...(item.version.tags === null ? {} : { tags: item.version.tags }),
    // The key of a certificate: Azure marks it managed (its lifetime is the certificate's).
    ...(isManaged(item.version) ? { managed: true } : {}),
  };
}

export function toKeyBundle(baseUrl: string, vault: Vault, item: KeyVersionView) {
  const { releasePolicy } = item.key;
  return {
    key: toJsonWebKey(keyId(baseUrl, item), item),
    ...common(vault, item),
    ...(releasePolicy === undefined ? {} : { release_policy: { contentType: releasePolicy.contentType, immutable: releasePolicy.immutable, data: releasePolicy.data } }),
  };
}

/** GetKeys lists the unversioned kid; GetKeyVersions the versioned one. */
export function toKeyItem(baseUrl: string, vault: Vault, item: KeyVersionView, opts: { versioned: boolean }) {
  return { kid: opts.versioned ? keyId(baseUrl, item) : objectUrl(baseUrl, 'keys', item.object.name), ...common(vault, item) };
}

export function toDeletedKeyBundle(baseUrl: string, vault: Vault, item: KeyVersionView) {
  return { ...deletedMembers(baseUrl, 'deletedkeys', item), ...toKeyBundle(baseUrl, vault, item) };
}

export function toDeletedKeyItem(baseUrl: string, vault: Vault, item: KeyVersionView) {
  return { ...deletedMembers(baseUrl, 'deletedkeys', item), ...toKeyItem(baseUrl, vault, item, { versioned: false }) };
}
