// The kind-neutral shape of a vault object (secret, key or certificate) and its versions, as the store returns
// them. Sensitive bytes stay sealed here; only a domain service opens them, through the envelope.

export type ObjectKind = 'secret' | 'key' | 'certificate';

export interface StoredObject {
  id: string;
  vaultId: string;
  kind: ObjectKind;
  name: string;
  currentVersion: string;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
  scheduledPurgeAt: number | null;
}

export interface VersionAttributes {
  enabled: boolean;
  notBefore: number | null;
  expires: number | null;
  contentType: string | null;
  tags: Record<string, string> | null;
  /** The kind's own public, non-secret properties (keys: kty, key_ops, public JWK members), or null. */
  properties: Record<string, unknown> | null;
}

export interface StoredVersion extends VersionAttributes {
  objectId: string;
  version: string;
  seq: number;
  createdAt: number;
  updatedAt: number;
  sealedValue: Buffer;
}

/** One object with the version a read selected (the current one for listings). */
export interface ObjectWithVersion {
  object: StoredObject;
  version: StoredVersion;
}
