// The Microsoft.KeyVault/vaults routes of the management API (notes: which api-versions, in api-versions.ts).
import { encodeSkipToken, decodeSkipToken } from '../data-plane/wire/paging.js';
import type { VaultManagement } from '../../domain/vaults/vault-management.js';
import { armErrors } from '../../errors.js';
import { defineManagementOperation, type ManagementContext, type ManagementOperation } from './define-management-operation.js';
import { GENERIC_RESOURCES_API_VERSION, rbacIsDefault, SUBSCRIPTIONS_API_VERSIONS } from './api-versions.js';
import { toDeletedVaultResource, toGenericResource, toVaultResource, vaultResourceId, type VaultUrls } from './vault-resources.js';

export interface ManagementServices {
  vaults: VaultManagement;
  urls: VaultUrls;
  /** The server's own subscription, for `GET /subscriptions`. */
  subscription: { subscriptionId: string; tenantId: string };
}

const VAULT = ':subscriptionId/resourceGroups/:resourceGroup/providers/Microsoft.KeyVault/vaults/:vaultName';
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

export function pageSize(top: string | undefined): number {
  if (top === undefined || top === '') return DEFAULT_PAGE;
  const value = Number(top);
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE) throw armErrors.badRequest('$top', `$top must be an integer between 1 and ${MAX_PAGE}; '${top}' was given.`);
  return value;
}

/** A page of vaults by name, with ARM's absolute nextLink carrying $skiptoken, $top and the api-version. */
async function paged<T>(
  ctx: ManagementContext,
  path: string,
  query: Record<string, string | undefined>,
  read: (page: { after: string | undefined; limit: number }) => Promise<Array<{ name: string }>>,
  render: (item: never) => T,
  extra: Record<string, string> = {},
) {
  const limit = pageSize(query.$top);
  const rows = await read({ after: decodeSkipToken(query.$skiptoken), limit: limit + 1 });
  const items = rows.slice(0, limit);
  const next = new URLSearchParams({ ...extra, 'api-version': ctx.apiVersion, $top: String(limit), $skiptoken: encodeSkipToken(items[items.length - 1]?.name ?? '') });
  return { value: items.map((item) => render(item as never)), ...(rows.length > limit ? { nextLink: `${ctx.baseUrl}/subscriptions/${path}?${next.toString()}` } : {}) };
}

const caller = (ctx: ManagementContext) => ctx.token?.objectId ?? '';

function scoped(ctx: ManagementContext, params: Record<string, string>) {
  ctx.subscriptionId = params.subscriptionId ?? '';
  ctx.resourceGroup = params.resourceGroup ?? '';
  ctx.vaultName = params.vaultName ?? '';
  return { subscriptionId: ctx.subscriptionId, resourceGroup: ctx.resourceGroup };
}

export const vaultOperations: Array<ManagementOperation<ManagementServices>> = [
  defineManagementOperation<ManagementServices>({
    method: 'GET', path: '', operationName: 'SubscriptionList', action: 'Microsoft.Resources/subscriptions/read', apiVersions: SUBSCRIPTIONS_API_VERSIONS,
    // As in Azure, the list holds the subscriptions the caller can read, possibly none.
    authorizesItself: true,
    handle: async (ctx, _input, { subscription }) => {
      const id = `/subscriptions/${subscription.subscriptionId}`;
      const visible = await ctx.authorize('Microsoft.Resources/subscriptions/read', id);
      return { body: { value: visible ? [{ id, subscriptionId: subscription.subscriptionId, tenantId: subscription.tenantId, displayName: 'Coffer', state: 'Enabled' }] : [] } };
    },
  }),
  defineManagementOperation<ManagementServices>({
    method: 'PUT', path: VAULT, operationName: 'VaultPut', action: 'Microsoft.KeyVault/vaults/write',
    handle: async (ctx, { params, body }, { vaults, urls }) => {
      const { vault, created } = await vaults.putVault(scoped(ctx, params), params.vaultName!, body, { caller: caller(ctx), rbacByDefault: rbacIsDefault(ctx.apiVersion) });
      return { status: created ? 201 : 200, body: toVaultResource(vault, urls) };
    },
  }),
  defineManagementOperation<ManagementServices>({
    method: 'PATCH', path: VAULT, operationName: 'VaultPatch', action: 'Microsoft.KeyVault/vaults/write',
    handle: async (ctx, { params, body }, { vaults, urls }) => ({ body: toVaultResource(await vaults.patchVault(scoped(ctx, params), params.vaultName!, body, { caller: caller(ctx) }), urls) }),
  }),
  defineManagementOperation<ManagementServices>({
    method: 'GET', path: VAULT, operationName: 'VaultGet', action: 'Microsoft.KeyVault/vaults/read',
    handle: async (ctx, { params }, { vaults, urls }) => ({ body: toVaultResource(await vaults.getVault(scoped(ctx, params), params.vaultName!), urls) }),
  }),
  defineManagementOperation<ManagementServices>({
    method: 'DELETE', path: VAULT, operationName: 'VaultDelete', action: 'Microsoft.KeyVault/vaults/delete',
    handle: async (ctx, { params }, { vaults }) => ({ status: (await vaults.deleteVault(scoped(ctx, params), params.vaultName!)) ? 200 : 204 }),
  }),
  defineManagementOperation<ManagementServices>({
    method: 'PUT', path: `${VAULT}/accessPolicies/:operationKind`, operationName: 'VaultAccessPolicyUpdate', action: 'Microsoft.KeyVault/vaults/accessPolicies/write',
    handle: async (ctx, { params, body }, { vaults }) => {
      const { vault, accessPolicies } = await vaults.updateAccessPolicy(scoped(ctx, params), params.vaultName!, params.operationKind!, body, { caller: caller(ctx) });
      return {
        body: { id: `${vaultResourceId(vault)}/accessPolicies/${params.operationKind!.toLowerCase()}`, type: 'Microsoft.KeyVault/vaults/accessPolicies', properties: { accessPolicies } },
      };
    },
  }),
  defineManagementOperation<ManagementServices>({
    method: 'GET', path: ':subscriptionId/resourceGroups/:resourceGroup/providers/Microsoft.KeyVault/vaults', operationName: 'VaultList', action: 'Microsoft.KeyVault/vaults/read',
    handle: async (ctx, { params, query }, { vaults, urls }) => {
      const scope = scoped(ctx, params);
      return { body: await paged(ctx, `${params.subscriptionId}/resourceGroups/${params.resourceGroup}/providers/Microsoft.KeyVault/vaults`, query, (page) => vaults.listVaults(scope, page), (vault) => toVaultResource(vault, urls)) };
    },
  }),
  defineManagementOperation<ManagementServices>({
    method: 'GET', path: ':subscriptionId/providers/Microsoft.KeyVault/vaults', operationName: 'VaultList', action: 'Microsoft.KeyVault/vaults/read',
    handle: async (ctx, { params, query }, { vaults, urls }) => {
      scoped(ctx, params);
      return { body: await paged(ctx, `${params.subscriptionId}/providers/Microsoft.KeyVault/vaults`, query, (page) => vaults.listVaults({ subscriptionId: params.subscriptionId! }, page), (vault) => toVaultResource(vault, urls)) };
    },
  }),
  defineManagementOperation<ManagementServices>({
    // The generic resources list (azure-mgmt-resource), which `vaults.list()` and `az keyvault list` use.
    method: 'GET', path: ':subscriptionId/resources', operationName: 'VaultList', action: 'Microsoft.KeyVault/vaults/read', apiVersions: [GENERIC_RESOURCES_API_VERSION],
    handle: async (ctx, { params, query }, { vaults }) => {
      scoped(ctx, params);
      const filter = query.$filter ?? '';
      if (!/^resourceType eq 'Microsoft\.KeyVault\/vaults'$/i.test(filter.trim())) {
        throw armErrors.badRequest('$filter', "Only $filter=resourceType eq 'Microsoft.KeyVault/vaults' is supported: this server holds only vaults.");
      }
      return { body: await paged(ctx, `${params.subscriptionId}/resources`, query, (page) => vaults.listVaults({ subscriptionId: params.subscriptionId! }, page), toGenericResource, { $filter: filter }) };
    },
  }),
  defineManagementOperation<ManagementServices>({
    method: 'GET', path: ':subscriptionId/providers/Microsoft.KeyVault/deletedVaults', operationName: 'DeletedVaultList', action: 'Microsoft.KeyVault/deletedVaults/read',
    handle: async (ctx, { params, query }, { vaults }) => {
      scoped(ctx, params);
      return { body: await paged(ctx, `${params.subscriptionId}/providers/Microsoft.KeyVault/deletedVaults`, query, (page) => vaults.listDeletedVaults(params.subscriptionId!, page), toDeletedVaultResource) };
    },
  }),
  defineManagementOperation<ManagementServices>({
    method: 'GET', path: ':subscriptionId/providers/Microsoft.KeyVault/locations/:location/deletedVaults/:vaultName', operationName: 'DeletedVaultGet', action: 'Microsoft.KeyVault/deletedVaults/read',
    handle: async (ctx, { params }, { vaults }) => {
      scoped(ctx, params);
      return { body: toDeletedVaultResource(await vaults.getDeletedVault(params.subscriptionId!, params.location!, params.vaultName!)) };
    },
  }),
  defineManagementOperation<ManagementServices>({
    method: 'POST', path: ':subscriptionId/providers/Microsoft.KeyVault/locations/:location/deletedVaults/:vaultName/purge', operationName: 'DeletedVaultPurge', action: 'Microsoft.KeyVault/locations/deletedVaults/purge/action',
    handle: async (ctx, { params }, { vaults }) => {
      scoped(ctx, params);
      await vaults.purgeDeletedVault(params.subscriptionId!, params.location!, params.vaultName!);
      return { status: 200 };
    },
  }),
  defineManagementOperation<ManagementServices>({
    method: 'POST', path: ':subscriptionId/providers/Microsoft.KeyVault/checkNameAvailability', operationName: 'VaultCheckNameAvailability', action: 'Microsoft.KeyVault/checkNameAvailability/read',
    handle: async (ctx, { params, body }, { vaults }) => {
      scoped(ctx, params);
      return { body: await vaults.checkNameAvailability(body) };
    },
  }),
];
