// The built-in token service's HTTP surface: OpenID discovery, JWKS and the client-credentials token endpoint (client
// secrets and client assertions), at the paths Entra ID uses, so @azure/identity works against it unchanged. Errors take
// the OAuth 2.0 shape. The managed-identity endpoints are apart (managed-identity.ts).
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ClientCredentialsGrant } from '../../auth/tokens/client-credentials.js';
import { OAuthError, oauthErrors } from '../../errors.js';
import { registerFormParser } from './form-body.js';

export interface IdentityDeps {
  tenantId: string;
  authorityHost: string;
  jwks: () => { keys: Array<Record<string, unknown>> };
  grant: ClientCredentialsGrant;
  logger: Logger;
}

export function registerIdentity(app: FastifyInstance, deps: IdentityDeps): void {
  registerFormParser(app);
  const base = `${deps.authorityHost}/${deps.tenantId}`;

  const requireTenant = (tenant: string) => {
    if (tenant.toLowerCase() !== deps.tenantId) throw oauthErrors.invalidTenant(tenant);
  };

  app.setErrorHandler(async (error, request, reply) => {
    const oauth = error instanceof OAuthError ? error : toOAuthError(error);
    if (oauth.status >= 500) deps.logger.error({ err: error, reqId: request.id }, 'token service request failed');
    const now = new Date();
    return reply
      .code(oauth.status)
      .header('cache-control', 'no-store')
      .send({
        error: oauth.error,
        error_description: `AADSTS${oauth.errorCodes[0] ?? 0}: ${oauth.message} Trace ID: ${request.id} Timestamp: ${now.toISOString()}`,
        error_codes: oauth.errorCodes,
        timestamp: now.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
        trace_id: String(request.id),
        correlation_id: String(request.headers['client-request-id'] ?? request.id),
      });
  });

  const discovery = (tenant: string) => {
    requireTenant(tenant);
    return {
      issuer: `${base}/v2.0`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt'],
      grant_types_supported: ['client_credentials'],
      response_types_supported: ['token'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid'],
      claims_supported: ['aud', 'iss', 'iat', 'nbf', 'exp', 'tid', 'oid', 'sub', 'appid', 'azp', 'ver'],
      tenant_region_scope: null,
      cloud_instance_name: 'coffer',
    };
  };

  app.get<{ Params: { tenant: string } }>('/:tenant/v2.0/.well-known/openid-configuration', async (request) => discovery(request.params.tenant));
  app.get<{ Params: { tenant: string } }>('/:tenant/discovery/v2.0/keys', async (request) => {
    requireTenant(request.params.tenant);
    return deps.jwks();
  });
  app.get<{ Params: { tenant: string } }>('/:tenant/discovery/keys', async (request) => {
    requireTenant(request.params.tenant);
    return deps.jwks();
  });

  // v2 endpoint: the audience comes from `scope` (<resource>/.default).
  app.post<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/token', async (request, reply) => {
    requireTenant(request.params.tenant);
    const form = formOf(request.body);
    const token = await deps.grant.exchange({ ...form, resource: undefined });
    return reply.header('cache-control', 'no-store').send({
      token_type: 'Bearer',
      expires_in: token.expiresIn,
      ext_expires_in: token.expiresIn,
      access_token: token.accessToken,
    });
  });

  // v1 endpoint (older SDKs and tools): the audience comes from `resource`; the answer also carries expires_on.
  app.post<{ Params: { tenant: string } }>('/:tenant/oauth2/token', async (request, reply) => {
    requireTenant(request.params.tenant);
    const form = formOf(request.body);
    const token = await deps.grant.exchange({ ...form, scope: undefined });
    return reply.header('cache-control', 'no-store').send({
      token_type: 'Bearer',
      expires_in: String(token.expiresIn),
      ext_expires_in: String(token.expiresIn),
      expires_on: String(token.expiresOn),
      not_before: String(token.expiresOn - token.expiresIn),
      resource: token.audience,
      access_token: token.accessToken,
    });
  });
}

function formOf(body: unknown): Record<string, string | undefined> {
  if (typeof body !== 'object' || body === null) {
    throw oauthErrors.invalidRequest("The request body must be 'application/x-www-form-urlencoded'.");
  }
  return body as Record<string, string | undefined>;
}

function toOAuthError(error: unknown): OAuthError {
  const candidate = error as { statusCode?: number; code?: string };
  if (candidate?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return oauthErrors.invalidRequest("The request body must be 'application/x-www-form-urlencoded'.");
  }
  if (typeof candidate?.statusCode === 'number' && candidate.statusCode >= 400 && candidate.statusCode < 500) {
    return oauthErrors.invalidRequest('The request is not valid.');
  }
  return new OAuthError(500, 'server_error', 'The token service encountered an internal error.', [50000]);
}
