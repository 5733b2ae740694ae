// The directory as Microsoft Graph shows it (issue 7): applications apart from their service principals. An
// application has its own object id and owns an appId; its credentials (client secrets, certificates, federated
// credentials) stay where they were, on a principals row with that appId, so the token service is unchanged. That row
// exists from the application's creation on; until the service principal is created (or after it is deleted) it is
// marked has_service_principal = 0 and gets no tokens. Every service principal made before this migration (by
// `coffer principal create` or at first start) gets its application here. Portable schema-builder calls only.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('applications')
    // The application's object id (Graph's application `id`), not the service principal's.
    .addColumn('id', 'text', (col) => col.primaryKey())
    // Lower-case GUID; the principals row with the same app_id holds the application's credentials.
    .addColumn('app_id', 'text', (col) => col.notNull().unique())
    .addColumn('display_name', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();

  await db.schema.alterTable('principals').addColumn('has_service_principal', 'integer', (col) => col.notNull().defaultTo(1)).execute();

  // Managed identities have no application, as in Entra.
  const directory = db as unknown as Kysely<{ principals: { app_id: string; display_name: string; kind: string; created_at: number }; applications: { id: string; app_id: string; display_name: string; description: string | null; created_at: number } }>;
  const principals = await directory.selectFrom('principals').select(['app_id', 'display_name', 'created_at']).where('kind', '=', 'servicePrincipal').execute();
  for (const principal of principals) {
    await directory
      .insertInto('applications')
      .values({ id: randomUUID(), app_id: principal.app_id, display_name: principal.display_name, description: null, created_at: Number(principal.created_at) })
      .execute();
  }
}

export async function down(): Promise<void> {
  throw new Error('0010-directory cannot be undone.');
}
