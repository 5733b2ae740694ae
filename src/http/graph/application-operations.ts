// Graph's applications: create, list, get, update, delete (by id or `(appId='…')`), addPassword and removePassword,
// certificates through `keyCredentials`, and the federatedIdentityCredentials sub-collection. Each handler reads the
// request, asks the directory service and answers in Graph's shapes (wire/directory-objects.ts).
import { parseKeyCredentials, type KeyCredentialInput } from '../../domain/identities/application.js';
import { directoryErrors } from '../../errors.js';
import { defineGraphOperation, type GraphContext, type GraphOperation, type GraphServices } from './define-graph-operation.js';
import { directoryActions } from './directory-rights.js';
import { contextUrl, objectBody, objectUrl, onlyProperties, optionalDateTime, optionalString } from './graph-input.js';
import { toFederatedIdentityCredential, toGraphApplication, toPasswordCredential } from './wire/directory-objects.js';
import { collectionPage, parseEntityQuery, parseListQuery, selectProperties } from './wire/odata.js';
import { objectKeyOf } from './wire/paths.js';

const APPLICATION = 'Application';
const actions = directoryActions.applications;

function keyCredentialsOf(body: Record<string, unknown>): KeyCredentialInput[] | undefined {
  if (body.keyCredentials === undefined) return undefined;
  const parsed = parseKeyCredentials(body.keyCredentials);
  if ('problems' in parsed) throw directoryErrors.badRequest(parsed.problems.join(' '));
  return parsed.entries;
}

/** Graph keeps passwordCredentials to addPassword and removePassword; an empty list is what a client echoing an application sends. */
function refusePasswordCredentials(body: Record<string, unknown>): void {
  const value = body.passwordCredentials;
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return;
  throw directoryErrors.readOnlyProperty('passwordCredentials', 'Use addPassword and removePassword.');
}

function refuseOtherAudiences(body: Record<string, unknown>): void {
  const audience = optionalString(body, 'signInAudience', APPLICATION);
  // One tenant per server: nothing else could sign in.
  if (audience !== undefined && audience !== 'AzureADMyOrg') throw directoryErrors.badRequest(`signInAudience '${audience}' is not supported; this directory has one tenant ('AzureADMyOrg').`);
}

const entity = (ctx: GraphContext, body: Record<string, unknown>) => ({ '@odata.context': contextUrl(ctx, 'applications/$entity'), ...body });

const createApplication = defineGraphOperation<GraphServices>({
  method: 'POST',
  path: 'applications',
  operationName: 'ApplicationCreate',
  action: actions.write,
  async handle(ctx, { body }, { directory }) {
    const input = objectBody(body, APPLICATION);
    onlyProperties(input, ['displayName', 'description', 'signInAudience', 'keyCredentials', 'passwordCredentials'], APPLICATION);
    refuseOtherAudiences(input);
    refusePasswordCredentials(input);
    const keyCredentials = keyCredentialsOf(input);
    const view = await directory.createApplication({
      displayName: input.displayName,
      ...(input.description === undefined ? {} : { description: input.description }),
      ...(keyCredentials === undefined ? {} : { keyCredentials }),
    });
    ctx.objectId = objectUrl(ctx, `applications/${view.application.objectId}`);
    return { status: 201, body: entity(ctx, toGraphApplication(view)) };
  },
});

const listApplications = defineGraphOperation<GraphServices>({
  method: 'GET',
  path: 'applications',
  operationName: 'ApplicationList',
  action: actions.read,
  async handle(ctx, { query }, { directory }) {
    const list = parseListQuery(query, ['id', 'appId', 'displayName']);
    const views = await directory.listApplications();
    return { body: collectionPage(views.map(toGraphApplication), list, { context: contextUrl(ctx, 'applications'), self: objectUrl(ctx, 'applications') }) };
  },
});

const getApplication = defineGraphOperation<GraphServices>({
  method: 'GET',
  path: 'applications/:key',
  operationName: 'ApplicationGet',
  action: actions.read,
  async handle(ctx, { params, query }, { directory }) {
    const { select } = parseEntityQuery(query);
    const view = await directory.getApplication(objectKeyOf(params.key!));
    ctx.objectId = objectUrl(ctx, `applications/${view.application.objectId}`);
    return { body: entity(ctx, selectProperties(toGraphApplication(view), select)) };
  },
});

const updateApplication = defineGraphOperation<GraphServices>({
  method: 'PATCH',
  path: 'applications/:key',
  operationName: 'ApplicationUpdate',
  action: actions.write,
  async handle(ctx, { params, body }, { directory }) {
    const input = objectBody(body, APPLICATION);
    onlyProperties(input, ['displayName', 'description', 'signInAudience', 'keyCredentials', 'passwordCredentials'], APPLICATION);
    refuseOtherAudiences(input);
    refusePasswordCredentials(input);
    const keyCredentials = keyCredentialsOf(input);
    const key = objectKeyOf(params.key!);
    await directory.updateApplication(key, {
      ...(input.displayName === undefined ? {} : { displayName: input.displayName }),
      ...(input.description === undefined ? {} : { description: input.description }),
      ...(keyCredentials === undefined ? {} : { keyCredentials }),
    });
    ctx.objectId = objectUrl(ctx, `applications/${params.key}`);
    return { status: 204 };
  },
});

const deleteApplication = defineGraphOperation<GraphServices>({
  method: 'DELETE',
  path: 'applications/:key',
  operationName: 'ApplicationDelete',
  action: actions.delete,
  async handle(ctx, { params }, { directory }) {
    await directory.deleteApplication(objectKeyOf(params.key!));
    ctx.objectId = objectUrl(ctx, `applications/${params.key}`);
    return { status: 204 };
  },
});

const addPassword = defineGraphOperation<GraphServices>({
  method: 'POST',
  path: 'applications/:key/addPassword',
  operationName: 'ApplicationAddPassword',
  action: actions.write,
  async handle(ctx, { params, body }, { directory }) {
    const input = objectBody(body, 'addPassword');
    onlyProperties(input, ['passwordCredential'], 'addPassword');
    const credential = objectBody(input.passwordCredential, 'passwordCredential');
    onlyProperties(credential, ['displayName', 'endDateTime', 'startDateTime', 'customKeyIdentifier', 'keyId', 'hint', 'secretText'], 'passwordCredential');
    for (const generated of ['keyId', 'hint', 'secretText', 'customKeyIdentifier']) {
      if (credential[generated] !== undefined && credential[generated] !== null) throw directoryErrors.readOnlyProperty(generated, 'The server generates it.');
    }
    const displayName = optionalString(credential, 'displayName', 'passwordCredential');
    const startsAt = optionalDateTime(credential, 'startDateTime', 'passwordCredential');
    const endsAt = optionalDateTime(credential, 'endDateTime', 'passwordCredential');
    const added = await directory.addPassword(objectKeyOf(params.key!), {
      ...(displayName === undefined ? {} : { displayName }),
      ...(startsAt === undefined ? {} : { startsAt }),
      ...(endsAt === undefined ? {} : { endsAt }),
    });
    ctx.objectId = objectUrl(ctx, `applications/${params.key}`);
    return { body: { '@odata.context': contextUrl(ctx, 'microsoft.graph.passwordCredential'), ...toPasswordCredential(added.credential, added.secretText) } };
  },
});

const removePassword = defineGraphOperation<GraphServices>({
  method: 'POST',
  path: 'applications/:key/removePassword',
  operationName: 'ApplicationRemovePassword',
  action: actions.write,
  async handle(ctx, { params, body }, { directory }) {
    const input = objectBody(body, 'removePassword');
    onlyProperties(input, ['keyId'], 'removePassword');
    const keyId = optionalString(input, 'keyId', 'removePassword');
    if (keyId === undefined) throw directoryErrors.badRequest("The request needs the 'keyId' of the password credential to remove.");
    await directory.removePassword(objectKeyOf(params.key!), keyId);
    ctx.objectId = objectUrl(ctx, `applications/${params.key}`);
    return { status: 204 };
  },
});

const FEDERATED = 'federatedIdentityCredential';
const federatedEntity = (ctx: GraphContext, applicationKey: string, body: Record<string, unknown>) => ({
  '@odata.context': contextUrl(ctx, `applications('${applicationKey}')/federatedIdentityCredentials/$entity`),
  ...body,
});

const createFederatedCredential = defineGraphOperation<GraphServices>({
  method: 'POST',
  path: 'applications/:key/federatedIdentityCredentials',
  operationName: 'FederatedIdentityCredentialCreate',
  action: actions.write,
  async handle(ctx, { params, body }, { directory }) {
    const input = objectBody(body, FEDERATED);
    onlyProperties(input, ['name', 'issuer', 'subject', 'audiences', 'description'], FEDERATED);
    const audiences = input.audiences;
    if (!Array.isArray(audiences) || !audiences.every((audience) => typeof audience === 'string')) {
      throw directoryErrors.badRequest("Invalid value specified for property 'audiences' of resource 'federatedIdentityCredential': an array of strings is required.");
    }
    const credential = await directory.addFederatedCredential(objectKeyOf(params.key!), {
      name: optionalString(input, 'name', FEDERATED) ?? '',
      issuer: optionalString(input, 'issuer', FEDERATED) ?? '',
      subject: optionalString(input, 'subject', FEDERATED) ?? '',
      audiences,
      description: optionalString(input, 'description', FEDERATED),
    });
    ctx.objectId = objectUrl(ctx, `applications/${params.key}/federatedIdentityCredentials/${credential.id}`);
    return { status: 201, body: federatedEntity(ctx, params.key!, toFederatedIdentityCredential(credential)) };
  },
});

const listFederatedCredentials = defineGraphOperation<GraphServices>({
  method: 'GET',
  path: 'applications/:key/federatedIdentityCredentials',
  operationName: 'FederatedIdentityCredentialList',
  action: actions.read,
  async handle(ctx, { params, query }, { directory }) {
    const list = parseListQuery(query, ['id', 'name', 'issuer', 'subject']);
    const credentials = await directory.listFederatedCredentials(objectKeyOf(params.key!));
    const self = objectUrl(ctx, `applications/${params.key}/federatedIdentityCredentials`);
    return { body: collectionPage(credentials.map(toFederatedIdentityCredential), list, { context: contextUrl(ctx, `applications('${params.key}')/federatedIdentityCredentials`), self }) };
  },
});

const getFederatedCredential = defineGraphOperation<GraphServices>({
  method: 'GET',
  path: 'applications/:key/federatedIdentityCredentials/:credential',
  operationName: 'FederatedIdentityCredentialGet',
  action: actions.read,
  async handle(ctx, { params, query }, { directory }) {
    const { select } = parseEntityQuery(query);
    const credential = await directory.getFederatedCredential(objectKeyOf(params.key!), params.credential!);
    return { body: federatedEntity(ctx, params.key!, selectProperties(toFederatedIdentityCredential(credential), select)) };
  },
});

const deleteFederatedCredential = defineGraphOperation<GraphServices>({
  method: 'DELETE',
  path: 'applications/:key/federatedIdentityCredentials/:credential',
  operationName: 'FederatedIdentityCredentialDelete',
  action: actions.write,
  async handle(ctx, { params }, { directory }) {
    await directory.removeFederatedCredential(objectKeyOf(params.key!), params.credential!);
    ctx.objectId = objectUrl(ctx, `applications/${params.key}/federatedIdentityCredentials/${params.credential}`);
    return { status: 204 };
  },
});

export const applicationOperations: Array<GraphOperation<GraphServices>> = [
  createApplication,
  listApplications,
  getApplication,
  updateApplication,
  deleteApplication,
  addPassword,
  removePassword,
  createFederatedCredential,
  listFederatedCredentials,
  getFederatedCredential,
  deleteFederatedCredential,
];
