// Graph's servicePrincipals: create one for an application (its appId), list, get (by id or `(appId='…')`), update
// (accountEnabled: false refuses the tokens it holds at once; displayName) and delete. Managed identities' service
// principals are listed too (servicePrincipalType ManagedIdentity) and can be disabled, not renamed or deleted here.
import type { Principal } from '../../domain/identities/principal.js';
import { defineGraphOperation, type GraphContext, type GraphOperation, type GraphServices } from './define-graph-operation.js';
import { directoryActions } from './directory-rights.js';
import { contextUrl, objectBody, objectUrl, onlyProperties, optionalBoolean } from './graph-input.js';
import { toGraphServicePrincipal } from './wire/directory-objects.js';
import { collectionPage, parseEntityQuery, parseListQuery, selectProperties } from './wire/odata.js';
import { objectKeyOf } from './wire/paths.js';

const SERVICE_PRINCIPAL = 'ServicePrincipal';
const actions = directoryActions.servicePrincipals;

async function servicePrincipalJson(principal: Principal, { directory, tenantId }: GraphServices) {
  return toGraphServicePrincipal(principal, await directory.applicationOf(principal), tenantId);
}

const entity = (ctx: GraphContext, body: Record<string, unknown>) => ({ '@odata.context': contextUrl(ctx, 'servicePrincipals/$entity'), ...body });

const createServicePrincipal = defineGraphOperation<GraphServices>({
  method: 'POST',
  path: 'servicePrincipals',
  operationName: 'ServicePrincipalCreate',
  action: actions.write,
  async handle(ctx, { body }, services) {
    const input = objectBody(body, SERVICE_PRINCIPAL);
    onlyProperties(input, ['appId', 'accountEnabled'], SERVICE_PRINCIPAL);
    const accountEnabled = optionalBoolean(input, 'accountEnabled', SERVICE_PRINCIPAL);
    const principal = await services.directory.createServicePrincipal({ appId: input.appId, ...(accountEnabled === undefined ? {} : { accountEnabled }) });
    ctx.objectId = objectUrl(ctx, `servicePrincipals/${principal.objectId}`);
    return { status: 201, body: entity(ctx, await servicePrincipalJson(principal, services)) };
  },
});

const listServicePrincipals = defineGraphOperation<GraphServices>({
  method: 'GET',
  path: 'servicePrincipals',
  operationName: 'ServicePrincipalList',
  action: actions.read,
  async handle(ctx, { query }, services) {
    const list = parseListQuery(query, ['id', 'appId', 'displayName', 'servicePrincipalType']);
    const principals = await services.directory.listServicePrincipals();
    const items = await Promise.all(principals.map((principal) => servicePrincipalJson(principal, services)));
    return { body: collectionPage(items, list, { context: contextUrl(ctx, 'servicePrincipals'), self: objectUrl(ctx, 'servicePrincipals') }) };
  },
});

const getServicePrincipal = defineGraphOperation<GraphServices>({
  method: 'GET',
  path: 'servicePrincipals/:key',
  operationName: 'ServicePrincipalGet',
  action: actions.read,
  async handle(ctx, { params, query }, services) {
    const { select } = parseEntityQuery(query);
    const principal = await services.directory.getServicePrincipal(objectKeyOf(params.key!));
    ctx.objectId = objectUrl(ctx, `servicePrincipals/${principal.objectId}`);
    return { body: entity(ctx, selectProperties(await servicePrincipalJson(principal, services), select)) };
  },
});

const updateServicePrincipal = defineGraphOperation<GraphServices>({
  method: 'PATCH',
  path: 'servicePrincipals/:key',
  operationName: 'ServicePrincipalUpdate',
  action: actions.write,
  async handle(ctx, { params, body }, { directory }) {
    const input = objectBody(body, SERVICE_PRINCIPAL);
    onlyProperties(input, ['accountEnabled', 'displayName'], SERVICE_PRINCIPAL);
    const accountEnabled = optionalBoolean(input, 'accountEnabled', SERVICE_PRINCIPAL);
    await directory.updateServicePrincipal(objectKeyOf(params.key!), {
      ...(accountEnabled === undefined ? {} : { accountEnabled }),
      ...(input.displayName === undefined ? {} : { displayName: input.displayName }),
    });
    ctx.objectId = objectUrl(ctx, `servicePrincipals/${params.key}`);
    return { status: 204 };
  },
});

const deleteServicePrincipal = defineGraphOperation<GraphServices>({
  method: 'DELETE',
  path: 'servicePrincipals/:key',
  operationName: 'ServicePrincipalDelete',
  action: actions.delete,
  async handle(ctx, { params }, { directory }) {
    await directory.deleteServicePrincipal(objectKeyOf(params.key!));
    ctx.objectId = objectUrl(ctx, `servicePrincipals/${params.key}`);
    return { status: 204 };
  },
});

export const servicePrincipalOperations: Array<GraphOperation<GraphServices>> = [
  createServicePrincipal,
  listServicePrincipals,
  getServicePrincipal,
  updateServicePrincipal,
  deleteServicePrincipal,
];
