// Object ids are absolute URLs on the vault's own host, exactly as Azure forms them: the SDKs parse them as
// https://host[:port]/collection/name[/version], so no path prefix may ever appear before the collection.

export function objectUrl(baseUrl: string, collection: string, name: string, version?: string): string {
  return version === undefined ? `${baseUrl}/${collection}/${name}` : `${baseUrl}/${collection}/${name}/${version}`;
}

/** An empty trailing segment (`/secrets/x/`) means the latest version, as the SDKs send it. */
export function versionParam(version: string | undefined): string | undefined {
  return version === undefined || version === '' ? undefined : version;
}
