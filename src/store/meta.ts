// Server-wide facts: those fixed at first start (tenant id, subscription id, master-key check value) and a few
// settings every process must share.
import type { Db } from './open.js';

export interface MetaStore {
  getMeta(key: string): Promise<string | undefined>;
  /** Inserts once; a second insert of the same key keeps the first value and returns it. */
  insertMetaOnce(key: string, value: string): Promise<string>;
  /** Inserts or replaces (for the few facts that change, such as the development clock's offset). */
  setMeta(key: string, value: string): Promise<void>;
}

export function createMetaStore(db: Db): MetaStore {
  const getMeta = async (key: string) =>
    (await db.selectFrom('server_meta').select('value').where('key', '=', key).executeTakeFirst())?.value;
  return {
    getMeta,
    async insertMetaOnce(key, value) {
      await db.insertInto('server_meta').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
      return (await getMeta(key)) ?? value;
    },
    async setMeta(key, value) {
      await db.insertInto('server_meta').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
    },
  };
}
