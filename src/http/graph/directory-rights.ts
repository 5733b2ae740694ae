// Who may manage the directory through Microsoft Graph. Divergence: Graph grants this through app roles
// (Application.ReadWrite.All, Group.ReadWrite.All, Directory.Read.All) carried in the token's `roles` claim; Coffer has
// no app-role assignments and decides by its own RBAC instead, with control-plane actions at the root scope '/':
// `Microsoft.Directory/{applications|servicePrincipals|groups}/{read|write|delete}` and
// `Microsoft.Directory/groups/members/write`. Owner (`*`) holds them all, Reader (`*/read`) the reads.
//
// A directory write can take on any principal's rights: a password added to an administrator's application, or a
// member added to a group holding Owner, makes the caller that principal. So every write also needs
// `Microsoft.Authorization/roleAssignments/write` at '/', the right to grant oneself any role anyway. Owner has both;
// Contributor (`*` minus Microsoft.Authorization writes) and User Access Administrator (no directory writes) do not,
// and cannot raise themselves to Owner through Graph.

export const directoryActions = {
  applications: {
    read: 'Microsoft.Directory/applications/read',
    write: 'Microsoft.Directory/applications/write',
    delete: 'Microsoft.Directory/applications/delete',
  },
  servicePrincipals: {
    read: 'Microsoft.Directory/servicePrincipals/read',
    write: 'Microsoft.Directory/servicePrincipals/write',
    delete: 'Microsoft.Directory/servicePrincipals/delete',
  },
  groups: {
    read: 'Microsoft.Directory/groups/read',
    write: 'Microsoft.Directory/groups/write',
    delete: 'Microsoft.Directory/groups/delete',
    writeMembers: 'Microsoft.Directory/groups/members/write',
  },
} as const;

/** The right to assign any role at the root: what a directory write could otherwise be used to obtain. */
export const ASSIGN_ANY_ROLE = 'Microsoft.Authorization/roleAssignments/write';
/** The scope directory actions are checked at: the directory belongs to the whole server. */
export const DIRECTORY_SCOPE = '/';

/** Every action the caller must hold at '/' to perform a directory action, in the order they are checked. */
export function requiredActions(action: string): string[] {
  return /\/read$/i.test(action) ? [action] : [action, ASSIGN_ANY_ROLE];
}
