// Access control (RBAC and groups): principals can be disabled; groups of principals (and of groups); custom role
// definitions (the built-in ones live in code); role assignments at any scope, with an optional end for just-in-time
// activations; and eligible assignments that a principal may activate. Scopes are matched case-insensitively, so
// each row keeps its scope as given and, in scope_key, lower-cased without a trailing slash.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('principals').addColumn('enabled', 'integer', (col) => col.notNull().defaultTo(1)).execute();

  await db.schema
    .createTable('groups')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('tenant_id', 'text', (col) => col.notNull())
    .addColumn('display_name', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('mail_nickname', 'text')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('group_members')
    .addColumn('group_id', 'text', (col) => col.notNull().references('groups.id').onDelete('cascade'))
    // A principal's or a group's object id.
    .addColumn('member_id', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'member_id'])
    .execute();
  await db.schema.createIndex('group_members_by_member').on('group_members').column('member_id').execute();

  await db.schema
    .createTable('role_definitions')
    // The role definition's GUID (its ARM name).
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('role_name', 'text', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull())
    // JSON: [{actions, notActions, dataActions, notDataActions}]
    .addColumn('permissions', 'text', (col) => col.notNull())
    // JSON: the scopes it may be assigned at.
    .addColumn('assignable_scopes', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addColumn('created_by', 'text')
    .execute();

  for (const table of ['role_assignments', 'role_eligibilities'] as const) {
    await db.schema
      .createTable(table)
      // The assignment's GUID (its ARM name).
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('scope', 'text', (col) => col.notNull())
      .addColumn('scope_key', 'text', (col) => col.notNull())
      .addColumn('role_definition_id', 'text', (col) => col.notNull())
      .addColumn('principal_id', 'text', (col) => col.notNull())
      // 'ServicePrincipal' | 'Group' | 'User' | 'ForeignGroup', as ARM names them.
      .addColumn('principal_type', 'text', (col) => col.notNull())
      .addColumn('description', 'text')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('created_by', 'text')
      // Unix seconds after which it no longer applies (null: never).
      .addColumn('expires_at', 'bigint')
      // Assignments: the eligibility it was activated from, and the justification given. Eligibilities: the
      // longest activation allowed, in seconds.
      .addColumn('eligibility_id', 'text')
      .addColumn('justification', 'text')
      .addColumn('max_activation_seconds', 'integer')
      .execute();
    await db.schema.createIndex(`${table}_by_principal`).on(table).column('principal_id').execute();
    await db.schema.createIndex(`${table}_by_scope`).on(table).column('scope_key').execute();
  }
}

export async function down(): Promise<void> {
  throw new Error('0008-access-control cannot be undone.');
}
