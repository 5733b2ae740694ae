// Server-wide facts fixed at first start (tenant id, subscription id, master-key check value).
import type { Db } from './open.js';

export interface MetaStore {
  getMeta(key: string): Promise<string | undefined>;
  /** Inserts once; a second insert of the same key keeps the first value and returns it. */
  insertMetaOnce(key: string, value: string): Promise<string>;
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
  };
}
