// The management API's vault properties (ARM VaultProperties / VaultPatchParameters) → VaultSettings, with ARM's
// rules: soft delete always on, retention 7–90 days and fixed once set, purge protection irreversible, tenant the
// server's own. Every refusal is a 400 naming the property (`target`), and nothing is written before all pass.
import { armBoolean as boolean, armObject as object, armString as string, armTags as tags } from '../arm-input.js';
import { armErrors } from '../../errors.js';
import { InvalidIpRuleError, parseIpRule } from '../../network/ip-rules.js';
import type { AccessPolicyEntry, NetworkAcls, VaultSettings } from './vault.js';

/** Azure's limits (CATALOG.md §9, ARM): 1,024 access policies, 1,000 IP rules, 200 virtual-network rules, 50 tags. */
const MAX_ACCESS_POLICIES = 1024;
const MAX_IP_RULES = 1000;
const MAX_VNET_RULES = 200;

/** ARM's permission names per object kind (management-plane spec), in their canonical spelling. */
export const PERMISSIONS = {
  keys: ['all', 'encrypt', 'decrypt', 'wrapKey', 'unwrapKey', 'sign', 'verify', 'get', 'list', 'create', 'update', 'import', 'delete', 'backup', 'restore', 'recover', 'purge', 'release', 'rotate', 'getrotationpolicy', 'setrotationpolicy'],
  secrets: ['all', 'get', 'list', 'set', 'delete', 'backup', 'restore', 'recover', 'purge'],
  certificates: ['all', 'get', 'list', 'delete', 'create', 'import', 'update', 'managecontacts', 'getissuers', 'listissuers', 'setissuers', 'deleteissuers', 'manageissuers', 'recover', 'purge', 'backup', 'restore'],
  storage: ['all', 'get', 'list', 'delete', 'set', 'update', 'regeneratekey', 'recover', 'purge', 'backup', 'restore', 'setsas', 'listsas', 'getsas', 'deletesas'],
} as const;
type PermissionKind = keyof typeof PERMISSIONS;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** What a PUT (create or replace) asks for, checked; `retentionDays`/`purgeProtection` are columns, not settings. */
export interface VaultRequest {
  location: string | undefined;
  createMode: 'default' | 'recover';
  retentionDays: number | undefined;
  purgeProtection: boolean | undefined;
  /** Only the settings the body names; the caller merges them over the current or default settings. */
  settings: Partial<VaultSettings>;
}

/**
 * Reads an ARM vault body. `full` (PUT) requires location, tenantId and sku; a PATCH sends any subset. Tags sit
 * beside `properties`, and are settings here.
 */
export function parseVaultRequest(body: unknown, opts: { full: boolean; serverTenantId: string }): VaultRequest {
  const root = object(body, '', 'The request body must be a JSON object.');
  const props = root.properties === undefined && !opts.full ? {} : object(root.properties, 'properties', "The request must have a 'properties' object.");
  const settings: Partial<VaultSettings> = {};

  let location: string | undefined;
  if (root.location !== undefined || opts.full) {
    location = normalizeLocation(string(root.location, 'location'));
    if (location === '') throw armErrors.badRequest('location', "The 'location' of a vault must not be empty.");
  }
  if (root.tags !== undefined) settings.tags = tags(root.tags);

  if (props.tenantId !== undefined || opts.full) {
    const tenantId = string(props.tenantId, 'properties.tenantId');
    if (!isGuid(tenantId) || tenantId.toLowerCase() !== opts.serverTenantId.toLowerCase()) {
      throw armErrors.badRequest('properties.tenantId', `An invalid value was provided for 'tenantId'. This server's tenant is '${opts.serverTenantId}'.`);
    }
    settings.tenantId = tenantId.toLowerCase();
  }
  if (props.sku !== undefined || opts.full) settings.sku = sku(props.sku);
  if (props.accessPolicies !== undefined) settings.accessPolicies = accessPolicies(props.accessPolicies, 'properties.accessPolicies');
  for (const flag of ['enabledForDeployment', 'enabledForDiskEncryption', 'enabledForTemplateDeployment', 'enableRbacAuthorization'] as const) {
    if (props[flag] !== undefined && props[flag] !== null) settings[flag] = boolean(props[flag], `properties.${flag}`);
  }
  if (props.publicNetworkAccess !== undefined && props.publicNetworkAccess !== null) {
    settings.publicNetworkAccess = oneOf(props.publicNetworkAccess, ['Enabled', 'Disabled'] as const, 'properties.publicNetworkAccess');
  }
  if (props.networkAcls !== undefined && props.networkAcls !== null) settings.networkAcls = networkAcls(props.networkAcls);

  if (props.enableSoftDelete !== undefined && props.enableSoftDelete !== null && !boolean(props.enableSoftDelete, 'properties.enableSoftDelete')) {
    throw armErrors.badRequest(
      'properties.enableSoftDelete',
      'The property "enableSoftDelete" cannot be set to false. Soft delete is always on for vaults, as in Azure.',
    );
  }
  let retentionDays: number | undefined;
  if (props.softDeleteRetentionInDays !== undefined && props.softDeleteRetentionInDays !== null) {
    const days = props.softDeleteRetentionInDays;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 7 || days > 90) {
      throw armErrors.badRequest('properties.softDeleteRetentionInDays', `Invalid value found at properties.softDeleteRetentionInDays: ${JSON.stringify(days)}. It must be an integer between 7 and 90.`);
    }
    retentionDays = days;
  }
  let purgeProtection: boolean | undefined;
  if (props.enablePurgeProtection !== undefined && props.enablePurgeProtection !== null) {
    purgeProtection = boolean(props.enablePurgeProtection, 'properties.enablePurgeProtection');
    if (!purgeProtection) {
      throw armErrors.badRequest(
        'properties.enablePurgeProtection',
        'The property "enablePurgeProtection" cannot be set to false. Enabling the purge protection for a vault is an irreversible action.',
      );
    }
  }
  const createMode = props.createMode === undefined || props.createMode === null ? 'default' : oneOf(props.createMode, ['default', 'recover'] as const, 'properties.createMode');
  return { location, createMode, retentionDays, purgeProtection, settings };
}

/** `PUT …/accessPolicies/{add|replace|remove}`: the entries of the body. */
export function parseAccessPolicyUpdate(body: unknown): AccessPolicyEntry[] {
  const root = object(body, '', 'The request body must be a JSON object.');
  const props = object(root.properties, 'properties', "The request must have a 'properties' object.");
  return accessPolicies(props.accessPolicies, 'properties.accessPolicies');
}

/**
 * Applies an access-policy update to the current list. Entries match on tenant, object and application id.
 * `add` unions permissions (appending a new entry), `replace` sets them, `remove` subtracts them and drops an
 * entry left with none.
 */
export function applyAccessPolicyUpdate(current: AccessPolicyEntry[], kind: 'add' | 'replace' | 'remove', changes: AccessPolicyEntry[]): AccessPolicyEntry[] {
  const key = (entry: AccessPolicyEntry) => `${entry.tenantId.toLowerCase()}/${entry.objectId.toLowerCase()}/${(entry.applicationId ?? '').toLowerCase()}`;
  const result = current.map((entry) => ({ ...entry, permissions: { ...entry.permissions } }));
  for (const change of changes) {
    const index = result.findIndex((entry) => key(entry) === key(change));
    const existing = index >= 0 ? result[index] : undefined;
    if (kind === 'remove') {
      if (!existing) continue;
      for (const kindName of Object.keys(PERMISSIONS) as PermissionKind[]) {
        const removed = new Set(change.permissions[kindName]);
        existing.permissions[kindName] = existing.permissions[kindName].filter((permission) => !removed.has(permission));
      }
      if (Object.values(existing.permissions).every((list) => list.length === 0)) result.splice(index, 1);
    } else if (!existing) {
      result.push(change);
    } else {
      for (const kindName of Object.keys(PERMISSIONS) as PermissionKind[]) {
        existing.permissions[kindName] = kind === 'replace' ? change.permissions[kindName] : [...new Set([...existing.permissions[kindName], ...change.permissions[kindName]])];
      }
    }
  }
  if (result.length > MAX_ACCESS_POLICIES) {
    throw armErrors.badRequest('properties.accessPolicies', `A vault holds at most ${MAX_ACCESS_POLICIES} access policies.`);
  }
  return result;
}

/** ARM locations are compared lower case without spaces ('West Europe' = 'westeurope'). */
export function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}

function sku(value: unknown): VaultSettings['sku'] {
  const given = object(value, 'properties.sku', "The request must have a 'sku' with 'family' and 'name'.");
  oneOf(given.family ?? 'A', ['A'] as const, 'properties.sku.family');
  return { family: 'A', name: oneOf(given.name, ['standard', 'premium'] as const, 'properties.sku.name') };
}

function accessPolicies(value: unknown, target: string): AccessPolicyEntry[] {
  if (!Array.isArray(value)) throw armErrors.badRequest(target, `${target} must be an array.`);
  if (value.length > MAX_ACCESS_POLICIES) throw armErrors.badRequest(target, `A vault holds at most ${MAX_ACCESS_POLICIES} access policies.`);
  return value.map((item, index) => {
    const at = `${target}[${index}]`;
    const entry = object(item, at, `${at} must be a JSON object.`);
    const tenantId = string(entry.tenantId, `${at}.tenantId`);
    if (!isGuid(tenantId)) throw armErrors.badRequest(`${at}.tenantId`, `${at}.tenantId must be a GUID.`);
    const objectId = string(entry.objectId, `${at}.objectId`);
    if (objectId === '') throw armErrors.badRequest(`${at}.objectId`, `${at}.objectId must not be empty.`);
    const result: AccessPolicyEntry = { tenantId: tenantId.toLowerCase(), objectId, permissions: { keys: [], secrets: [], certificates: [], storage: [] } };
    if (entry.applicationId !== undefined && entry.applicationId !== null) {
      const applicationId = string(entry.applicationId, `${at}.applicationId`);
      if (!isGuid(applicationId)) throw armErrors.badRequest(`${at}.applicationId`, `${at}.applicationId must be a GUID.`);
      result.applicationId = applicationId.toLowerCase();
    }
    const permissions = object(entry.permissions, `${at}.permissions`, `${at}.permissions must be a JSON object.`);
    for (const kind of Object.keys(PERMISSIONS) as PermissionKind[]) {
      const given = permissions[kind];
      if (given === undefined || given === null) continue;
      if (!Array.isArray(given)) throw armErrors.badRequest(`${at}.permissions.${kind}`, `${at}.permissions.${kind} must be an array.`);
      result.permissions[kind] = [...new Set(given.map((permission, i) => oneOf(permission, PERMISSIONS[kind], `${at}.permissions.${kind}[${i}]`)))];
    }
    return result;
  });
}

function networkAcls(value: unknown): NetworkAcls {
  const given = object(value, 'properties.networkAcls', 'properties.networkAcls must be a JSON object.');
  const ipRules = given.ipRules ?? [];
  if (!Array.isArray(ipRules)) throw armErrors.badRequest('properties.networkAcls.ipRules', 'properties.networkAcls.ipRules must be an array.');
  if (ipRules.length > MAX_IP_RULES) throw armErrors.badRequest('properties.networkAcls.ipRules', `A vault holds at most ${MAX_IP_RULES} IP rules.`);
  const vnetRules = given.virtualNetworkRules ?? [];
  if (!Array.isArray(vnetRules)) throw armErrors.badRequest('properties.networkAcls.virtualNetworkRules', 'properties.networkAcls.virtualNetworkRules must be an array.');
  if (vnetRules.length > MAX_VNET_RULES) throw armErrors.badRequest('properties.networkAcls.virtualNetworkRules', `A vault holds at most ${MAX_VNET_RULES} virtual-network rules.`);
  return {
    bypass: given.bypass === undefined || given.bypass === null ? 'AzureServices' : oneOf(given.bypass, ['AzureServices', 'None'] as const, 'properties.networkAcls.bypass'),
    defaultAction: given.defaultAction === undefined || given.defaultAction === null ? 'Allow' : oneOf(given.defaultAction, ['Allow', 'Deny'] as const, 'properties.networkAcls.defaultAction'),
    ipRules: [...new Set(ipRules.map((rule, index) => {
      const at = `properties.networkAcls.ipRules[${index}].value`;
      const text = string(object(rule, `properties.networkAcls.ipRules[${index}]`, `properties.networkAcls.ipRules[${index}] must be a JSON object with 'value'.`).value, at);
      try {
        return parseIpRule(text).value;
      } catch (error) {
        if (error instanceof InvalidIpRuleError) throw armErrors.badRequest(at, `Invalid value found at ${at}: ${error.message}`);
        throw error;
      }
    }))],
    // Stored and answered so that templates round-trip; this server has no virtual networks to enforce them on.
    virtualNetworkRules: vnetRules.map((rule, index) => {
      const at = `properties.networkAcls.virtualNetworkRules[${index}]`;
      const entry = object(rule, at, `${at} must be a JSON object with 'id'.`);
      const ignore = entry.ignoreMissingVnetServiceEndpoint;
      return { id: string(entry.id, `${at}.id`).toLowerCase(), ignoreMissingVnetServiceEndpoint: ignore === undefined || ignore === null ? false : boolean(ignore, `${at}.ignoreMissingVnetServiceEndpoint`) };
    }),
  };
}





/** One of `allowed`, compared case-insensitively (ARM echoes enums in its own spelling). */
function oneOf<T extends string>(value: unknown, allowed: readonly T[], target: string): T {
  const found = typeof value === 'string' ? allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase()) : undefined;
  if (found === undefined) throw armErrors.badRequest(target, `${target} must be one of ${allowed.join(', ')}; ${JSON.stringify(value)?.slice(0, 64)} was given.`);
  return found;
}
