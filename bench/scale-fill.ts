// Fills the default vault of a stopped, initialized data directory with N secrets straight through SQLite
// (HTTP would take hours for a million), sealing each value with Coffer's real envelope so reads decrypt.
// Row shapes follow SecretService.setSecret and store/objects.ts. Names: bench-0000001 … bench-N.
// Usage: node --import tsx bench/scale-fill.ts --data-dir DIR --count N
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { createEnvelope } from '../src/crypto/envelope.js';
import { loadMasterKey } from '../src/crypto/master-key.js';
import { nameKey, newVersionId } from '../src/domain/objects/names.js';
import { SECRET_VALUE, secretName } from './scenarios.js';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, count: { type: 'string' }, batch: { type: 'string', default: '25000' } } });
const dataDir = values['data-dir']!;
const count = Number(values.count);
const batch = Number(values.batch);

const masterKey = await loadMasterKey({ dataDir, environmentValue: process.env.COFFER_MASTER_KEY, createIfMissing: false });
const envelope = createEnvelope({ masterKey: masterKey.key });
const db = new BetterSqlite3(path.join(dataDir, 'coffer.db'));
// A bulk load: durability per row is not needed here (the WAL is checkpointed at the end).
db.pragma('synchronous = OFF');
db.pragma('cache_size = -262144');

const check = db.prepare("SELECT value FROM server_meta WHERE key = 'master_key_check'").get() as { value: string } | undefined;
if (!check || !envelope.verifyMasterKeyCheck(check.value)) throw new Error(`${dataDir}: not initialized, or the master key does not match`);
const vaultRow = db.prepare("SELECT id, wrapped_key FROM vaults WHERE name = 'default'").get() as { id: string; wrapped_key: Buffer } | undefined;
if (!vaultRow) throw new Error(`${dataDir}: no default vault`);
const vault = { id: vaultRow.id, wrappedKey: vaultRow.wrapped_key };

const insertObject = db.prepare(
  `INSERT INTO objects (id, vault_id, kind, name, name_key, current_version, created_at, updated_at, deleted_at, scheduled_purge_at)
   VALUES (?, ?, 'secret', ?, ?, ?, ?, ?, NULL, NULL)`,
);
const insertVersion = db.prepare(
  `INSERT INTO object_versions (object_id, version, seq, enabled, not_before, expires, created_at, updated_at, content_type, tags, sealed_value)
   VALUES (?, ?, 1, 1, NULL, NULL, ?, ?, NULL, NULL, ?)`,
);
const plaintext = Buffer.from(SECRET_VALUE, 'utf8');
const now = Math.floor(Date.now() / 1000);

const insertRange = db.transaction((from: number, to: number) => {
  for (let i = from; i <= to; i++) {
    const name = secretName(i);
    const objectId = randomUUID();
    const version = newVersionId();
    const sealed = envelope.seal(vault, { vaultId: vault.id, kind: 'secret', objectId, version }, plaintext);
    insertObject.run(objectId, vault.id, name, nameKey(name), version, now, now);
    insertVersion.run(objectId, version, now, now, sealed);
  }
});

const started = performance.now();
let lastReport = 0;
for (let from = 1; from <= count; from += batch) {
  const to = Math.min(count, from + batch - 1);
  insertRange(from, to);
  if (to - lastReport >= 100_000 || to === count) {
    lastReport = to;
    const seconds = (performance.now() - started) / 1000;
    console.log(`  scale fill: ${to.toLocaleString('en-US')} / ${count.toLocaleString('en-US')} secrets, ${seconds.toFixed(1)} s (${Math.round(to / seconds).toLocaleString('en-US')}/s)`);
  }
}
db.pragma('wal_checkpoint(TRUNCATE)');
db.close();
