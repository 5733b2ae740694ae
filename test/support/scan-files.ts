// Looking for bytes in a data directory's files, in every form a careless write could leave them: the checks
// behind "nothing secret is stored in clear" (encryption-at-rest and key-material-at-rest tests).
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** Every file under dir, recursively, with its bytes. */
export async function filesUnder(dir: string): Promise<Array<{ file: string; bytes: Buffer }>> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
  return Promise.all(files.map(async (file) => ({ file, bytes: await readFile(file) })));
}

/**
 * The ways bytes could sit in a file: raw, UTF-16 (for ASCII text), hex, and base64/base64url at each of the three
 * alignments they could have inside a longer encoded blob (edges dropped, since they mix with neighbouring bytes).
 */
export function encodings(bytes: Buffer): Array<{ how: string; needle: Buffer }> {
  const found = [
    { how: 'raw', needle: bytes },
    { how: 'hex', needle: Buffer.from(bytes.toString('hex')) },
    { how: 'HEX', needle: Buffer.from(bytes.toString('hex').toUpperCase()) },
  ];
  if (bytes.every((byte) => byte < 0x80)) found.push({ how: 'utf-16le', needle: Buffer.from(bytes.toString('latin1'), 'utf16le') });
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const middle = encoded.slice(4, -4);
    assert.ok(middle.length >= 16, 'values must be long enough to recognize in base64');
    found.push({ how: `base64+${offset}`, needle: Buffer.from(middle) });
    found.push({ how: `base64url+${offset}`, needle: Buffer.from(middle.replaceAll('+', '-').replaceAll('/', '_')) });
  }
  return found;
}
