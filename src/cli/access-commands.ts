// `coffer role …` and `coffer group …`: role definitions, role assignments (standing and eligible) and groups, over
// a data directory, running or not. The server sees a change on its next request.
import type { Command } from 'commander';
import { readLastUse } from '../audit/last-use.js';
import { auditRecordsOf } from '../data-dir.js';
import { createAccessReviewer } from '../domain/access/access-review.js';
import { objectScope, vaultScope, type ObjectCollection } from '../auth/roles/scopes.js';
import { systemClock } from '../clock.js';
import { createAccessService } from '../domain/access/access-service.js';
import { createAccessControlStore } from '../store/access-control.js';
import { createIdentityStore } from '../store/identities.js';
import { createVaultStore } from '../store/vaults.js';
import { dataDirOption, dataDirPath, print, storeOption, withDataDir } from './admin.js';

type Opened = Parameters<Parameters<typeof withDataDir>[1]>[0];

function accessServiceOf(opened: Opened) {
  return createAccessService({ store: createAccessControlStore(opened.db), identities: createIdentityStore(opened.db), tenantId: opened.tenantId, clock: systemClock });
}

interface ScopeFlags {
  scope?: string;
  vault?: string;
  secret?: string;
  key?: string;
  certificate?: string;
}

/** --scope as given, or the scope of --vault (and of one --secret, --key or --certificate in it). */
async function scopeOf(opened: Opened, flags: ScopeFlags): Promise<string> {
  if (flags.scope !== undefined) return flags.scope;
  if (flags.vault === undefined) throw new Error('give --scope, or --vault (with --secret, --key or --certificate for one object)');
  const vault = await createVaultStore(opened.db).getVaultByName(flags.vault.toLowerCase());
  if (!vault || vault.deletedAt !== null) throw new Error(`no vault named '${flags.vault}'`);
  const objects: Array<[ObjectCollection, string | undefined]> = [['secrets', flags.secret], ['keys', flags.key], ['certificates', flags.certificate]];
  const named = objects.filter(([, name]) => name !== undefined);
  if (named.length > 1) throw new Error('name at most one of --secret, --key, --certificate');
  const [collection, name] = named[0] ?? [];
  return collection && name ? objectScope(vault, collection, name) : vaultScope(vault);
}

function withScopeOptions(command: Command): Command {
  return command
    .option('--scope <scope>', "'/', /subscriptions/ID[/resourceGroups/G[/providers/Microsoft.KeyVault/vaults/V[/secrets|keys|certificates/NAME]]]")
    .option('--vault <name>', 'the scope of this vault (instead of --scope)')
    .option('--secret <name>', 'with --vault: only this secret')
    .option('--key <name>', 'with --vault: only this key')
    .option('--certificate <name>', 'with --vault: only this certificate');
}

const shownAssignment = (assignment: { id: string; scope: string; roleDefinitionId: string; principalId: string; principalType: string; expiresAt?: number | undefined }, roleName: string | undefined) => ({
  id: assignment.id,
  role: roleName ?? assignment.roleDefinitionId,
  roleDefinitionId: assignment.roleDefinitionId,
  principalId: assignment.principalId,
  principalType: assignment.principalType,
  scope: assignment.scope,
  ...(assignment.expiresAt === undefined ? {} : { endsAt: new Date(assignment.expiresAt * 1000).toISOString() }),
});

export function addAccessCommands(program: Command): void {
  const role = program.command('role').description('RBAC: role definitions and assignments (standing and just-in-time eligible)');
  role
    .command('list')
    .description("list role definitions: Azure's built-in Key Vault roles, Owner, Contributor, Reader, User Access Administrator, and custom roles")
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (flags: { dataDir?: string }) => {
      const roles = await withDataDir(flags, (opened) => accessServiceOf(opened).listRoleDefinitions());
      print(roles.map((definition) => ({ id: definition.id, roleName: definition.roleName, roleType: definition.roleType, permissions: definition.permissions })));
    });

  const assignment = role.command('assignment').description('role assignments');
  withScopeOptions(assignment.command('create'))
    .description('assign a role to a principal (object id or client id) or a group at a scope')
    .requiredOption('--assignee <id>', 'object id or client id of a principal, or a group object id')
    .requiredOption('--role <role>', "role name (e.g. 'Key Vault Secrets User') or definition id")
    .option('--principal-type <type>', 'for a principal of an external issuer, unknown here: ServicePrincipal, User or Group')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (flags: ScopeFlags & { dataDir?: string; assignee: string; role: string; principalType?: 'ServicePrincipal' | 'User' | 'Group' }) => {
      const created = await withDataDir(flags, async (opened) => {
        const access = accessServiceOf(opened);
        const made = await access.createAssignment({
          scope: await scopeOf(opened, flags),
          roleDefinitionId: flags.role,
          principalId: flags.assignee,
          ...(flags.principalType === undefined ? {} : { principalType: flags.principalType }),
          createdBy: 'coffer CLI',
        });
        return shownAssignment(made, (await access.findRole(made.roleDefinitionId))?.roleName);
      });
      print(created);
    });
  withScopeOptions(assignment.command('list'))
    .description('list role assignments at, above and below a scope (or all), optionally of one assignee')
    .option('--assignee <id>', 'object id or client id')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (flags: ScopeFlags & { dataDir?: string; assignee?: string }) => {
      const listed = await withDataDir(flags, async (opened) => {
        const access = accessServiceOf(opened);
        const scope = flags.scope !== undefined || flags.vault !== undefined ? await scopeOf(opened, flags) : undefined;
        const principalId = flags.assignee === undefined ? undefined : ((await access.resolvePrincipal(flags.assignee))?.objectId ?? flags.assignee);
        const found = await access.listAssignments({ ...(scope === undefined ? {} : { scope }), ...(principalId === undefined ? {} : { principalId }) });
        return Promise.all(found.map(async (item) => shownAssignment(item, (await access.findRole(item.roleDefinitionId))?.roleName)));
      });
      print(listed);
    });
  assignment
    .command('delete <id>')
    .description('remove a role assignment (effective on the next request)')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (id: string, flags: { dataDir?: string }) => {
      const removed = await withDataDir(flags, (opened) => accessServiceOf(opened).deleteAssignment(id));
      if (!removed) throw new Error(`no role assignment '${id}'`);
      print({ deleted: removed.id });
    });

  program
    .command('access')
    .description('access review')
    .command('review')
    .description("who can do what on a vault (role assignments, group-derived rights, access policies) and when each principal last used its access, flagging rights unused for --unused-days")
    .requiredOption('--vault <name>', 'the vault to review')
    .option('--unused-days <days>', 'flag principals with no successful request in this many days', '90')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (flags: { dataDir?: string; vault: string; unusedDays: string }) => {
      const unusedDays = Number(flags.unusedDays);
      if (!Number.isInteger(unusedDays) || unusedDays < 1) throw new Error(`--unused-days must be a whole number of days, not '${flags.unusedDays}'`);
      const review = await withDataDir(flags, (opened) =>
        createAccessReviewer({
          access: accessServiceOf(opened),
          vaults: createVaultStore(opened.db),
          identities: createIdentityStore(opened.db),
          lastUse: (vaultName) => readLastUse(auditRecordsOf(opened, dataDirPath(flags)), vaultName),
          now: () => new Date(),
        })(flags.vault, unusedDays),
      );
      if (!review) throw new Error(`no vault named '${flags.vault}'`);
      print(review);
    });

  const group = program.command('group').description('groups of principals (and of groups), for role assignments and access policies');
  group
    .command('create <displayName>')
    .description('create a group and print its object id')
    .option('--description <text>', 'what the group is for')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (displayName: string, flags: { dataDir?: string; description?: string }) => {
      const created = await withDataDir(flags, (opened) => accessServiceOf(opened).createGroup({ displayName, ...(flags.description === undefined ? {} : { description: flags.description }) }));
      print({ id: created.id, displayName: created.displayName });
    });
  group
    .command('list')
    .description('list groups and their members')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (flags: { dataDir?: string }) => {
      const groups = await withDataDir(flags, async (opened) => {
        const access = accessServiceOf(opened);
        return Promise.all((await access.listGroups()).map(async (item) => ({ id: item.id, displayName: item.displayName, members: await access.listMembers(item.id) })));
      });
      print(groups);
    });
  group
    .command('add-member <groupId> <member>')
    .description('add a principal (object id or client id) or a group to a group')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (groupId: string, member: string, flags: { dataDir?: string }) => {
      const memberId = await withDataDir(flags, (opened) => accessServiceOf(opened).addMember(groupId, member));
      print({ group: groupId.toLowerCase(), added: memberId });
    });
  group
    .command('remove-member <groupId> <member>')
    .description('remove a member from a group (effective on the next request)')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (groupId: string, member: string, flags: { dataDir?: string }) => {
      const removed = await withDataDir(flags, (opened) => accessServiceOf(opened).removeMember(groupId, member));
      if (!removed) throw new Error(`'${member}' is not a member of group '${groupId}'`);
      print({ group: groupId.toLowerCase(), removed: member });
    });
  group
    .command('delete <groupId>')
    .description('delete a group (its role assignments stop applying at once)')
    .option(...dataDirOption)
    .option(...storeOption)
    .action(async (groupId: string, flags: { dataDir?: string }) => {
      if (!(await withDataDir(flags, (opened) => accessServiceOf(opened).deleteGroup(groupId)))) throw new Error(`no group '${groupId}'`);
      print({ deleted: groupId.toLowerCase() });
    });
}
