// Graph's groups (security groups only): create, list, get, delete, and members: add (`POST …/members/$ref` with an
// `@odata.id`), remove (`DELETE …/members/{id}/$ref`) and list. Members are service principals and groups; a role
// assigned to a group reaches its members, nested groups included (auth/authorize.ts).
import type { Application } from '../../domain/identities/application.js';
import type { Principal } from '../../domain/identities/principal.js';
import { directoryErrors } from '../../errors.js';
import { defineGraphOperation, type GraphContext, type GraphOperation, type GraphServices } from './define-graph-operation.js';
import { directoryActions } from './directory-rights.js';
import { contextUrl, objectBody, objectUrl, onlyProperties, optionalBoolean } from './graph-input.js';
import { toGraphGroup, toGraphMember } from './wire/directory-objects.js';
import { collectionPage, parseEntityQuery, parseListQuery, selectProperties } from './wire/odata.js';
import { objectKeyOf, referencedObjectId } from './wire/paths.js';

const GROUP = 'Group';
const actions = directoryActions.groups;

/** A group's id from its key segment; groups have no appId. */
function groupIdOf(segment: string): string {
  const key = objectKeyOf(segment);
  if ('appId' in key) throw directoryErrors.badRequest(`A group is named by its id, not '${segment}'.`);
  return key.objectId;
}

const entity = (ctx: GraphContext, body: Record<string, unknown>) => ({ '@odata.context': contextUrl(ctx, 'groups/$entity'), ...body });

const createGroup = defineGraphOperation<GraphServices>({
  method: 'POST',
  path: 'groups',
  operationName: 'GroupCreate',
  action: actions.write,
  async handle(ctx, { body }, { directory }) {
    const input = objectBody(body, GROUP);
    onlyProperties(input, ['displayName', 'mailNickname', 'mailEnabled', 'securityEnabled', 'description', 'groupTypes'], GROUP);
    // Graph requires both flags; Coffer keeps security groups only (Microsoft 365 and mail-enabled groups need mail).
    const mailEnabled = optionalBoolean(input, 'mailEnabled', GROUP);
    const securityEnabled = optionalBoolean(input, 'securityEnabled', GROUP);
    if (mailEnabled === undefined || securityEnabled === undefined) {
      throw directoryErrors.badRequest(`Invalid value specified for property '${mailEnabled === undefined ? 'mailEnabled' : 'securityEnabled'}' of resource 'Group'.`);
    }
    if (mailEnabled || !securityEnabled) throw directoryErrors.badRequest('Only security groups (mailEnabled: false, securityEnabled: true) are supported here.');
    if (input.groupTypes !== undefined && !(Array.isArray(input.groupTypes) && input.groupTypes.length === 0)) {
      throw directoryErrors.badRequest('groupTypes is not supported here: only security groups (groupTypes: []) are.');
    }
    const group = await directory.createGroup({
      displayName: input.displayName,
      mailNickname: input.mailNickname,
      ...(input.description === undefined ? {} : { description: input.description }),
    });
    ctx.objectId = objectUrl(ctx, `groups/${group.id}`);
    return { status: 201, body: entity(ctx, toGraphGroup(group)) };
  },
});

const listGroups = defineGraphOperation<GraphServices>({
  method: 'GET',
  path: 'groups',
  operationName: 'GroupList',
  action: actions.read,
  async handle(ctx, { query }, { directory }) {
    const list = parseListQuery(query, ['id', 'displayName', 'mailNickname']);
    const groups = await directory.listGroups();
    return { body: collectionPage(groups.map(toGraphGroup), list, { context: contextUrl(ctx, 'groups'), self: objectUrl(ctx, 'groups') }) };
  },
});

const getGroup = defineGraphOperation<GraphServices>({
  method: 'GET',
  path: 'groups/:key',
  operationName: 'GroupGet',
  action: actions.read,
  async handle(ctx, { params, query }, { directory }) {
    const { select } = parseEntityQuery(query);
    const group = await directory.getGroup(groupIdOf(params.key!));
    ctx.objectId = objectUrl(ctx, `groups/${group.id}`);
    return { body: entity(ctx, selectProperties(toGraphGroup(group), select)) };
  },
});

const deleteGroup = defineGraphOperation<GraphServices>({
  method: 'DELETE',
  path: 'groups/:key',
  operationName: 'GroupDelete',
  action: actions.delete,
  async handle(ctx, { params }, { directory }) {
    const groupId = groupIdOf(params.key!);
    await directory.deleteGroup(groupId);
    ctx.objectId = objectUrl(ctx, `groups/${groupId}`);
    return { status: 204 };
  },
});

const addMember = defineGraphOperation<GraphServices>({
  method: 'POST',
  path: 'groups/:key/members/$ref',
  operationName: 'GroupMemberAdd',
  action: actions.writeMembers,
  async handle(ctx, { params, body }, { directory }) {
    const input = objectBody(body, 'reference');
    const memberId = referencedObjectId(input['@odata.id']);
    onlyProperties(input, [], 'reference');
    const groupId = groupIdOf(params.key!);
    await directory.addGroupMember(groupId, memberId);
    ctx.objectId = objectUrl(ctx, `groups/${groupId}/members/${memberId}`);
    return { status: 204 };
  },
});

const removeMember = defineGraphOperation<GraphServices>({
  method: 'DELETE',
  path: 'groups/:key/members/:member/$ref',
  operationName: 'GroupMemberRemove',
  action: actions.writeMembers,
  async handle(ctx, { params }, { directory }) {
    const groupId = groupIdOf(params.key!);
    await directory.removeGroupMember(groupId, params.member!);
    ctx.objectId = objectUrl(ctx, `groups/${groupId}/members/${params.member}`);
    return { status: 204 };
  },
});

const listMembers = defineGraphOperation<GraphServices>({
  method: 'GET',
  path: 'groups/:key/members',
  operationName: 'GroupMemberList',
  action: actions.read,
  async handle(ctx, { params, query }, { directory, tenantId }) {
    const list = parseListQuery(query, ['id', 'displayName']);
    const groupId = groupIdOf(params.key!);
    const members = await directory.listGroupMembers(groupId);
    const applications = new Map<string, Application | undefined>();
    for (const member of members) {
      if (member.kind === 'servicePrincipal') applications.set(member.principal.appId, await directory.applicationOf(member.principal));
    }
    const items = members.map((member) => toGraphMember(member, (principal: Principal) => applications.get(principal.appId), tenantId));
    return { body: collectionPage(items, list, { context: contextUrl(ctx, 'directoryObjects'), self: objectUrl(ctx, `groups/${groupId}/members`) }) };
  },
});

export const groupOperations: Array<GraphOperation<GraphServices>> = [createGroup, listGroups, getGroup, deleteGroup, addMember, removeMember, listMembers];
