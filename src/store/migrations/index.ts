// The ordered list of migrations. Add new ones at the end; never edit one that has shipped.
import type { Migration } from 'kysely';
import * as init from './0001-init.js';

export const migrations: Record<string, Migration> = {
  '0001-init': init,
};
