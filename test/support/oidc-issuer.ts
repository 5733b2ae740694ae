// A small external OpenID issuer for tests (a Kubernetes service-account issuer, a CI system, Keycloak): HTTPS with
// its own CA, serving the discovery document and JWKS, and minting RS256 tokens with jose. The server under test
// must trust its CA (NODE_EXTRA_CA_CERTS=<caCertPath> in the server's environment).
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { exportJWK, SignJWT } from 'jose';
import { systemClock } from '../../src/clock.js';
import { ensureTlsMaterial } from '../../src/tls/certificates.js';

export interface TestIssuer {
  /** https://127.0.0.1:PORT<path>: the tokens' iss. */
  issuer: string;
  caCertPath: string;
  /** How many times the discovery document and the JWKS were fetched. */
  fetches(): { discovery: number; jwks: number };
  /** A signed token: iss = this issuer, iat now, exp in an hour unless claims say otherwise. */
  sign(claims: Record<string, unknown>, opts?: { key?: KeyObject; kid?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startOidcIssuer(opts: { path?: string } = {}): Promise<TestIssuer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-test-idp-'));
  const tls = await ensureTlsMaterial({ dir, dnsSuffix: 'idp.localhost', extraNames: [], clock: systemClock });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' }] };
  const counts = { discovery: 0, jwks: 0 };
  const prefix = opts.path ?? '';
  let issuer = '';

  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.url === `${prefix}/.well-known/openid-configuration`) {
      counts.discovery += 1;
      send(200, { issuer, jwks_uri: `${issuer}/keys`, response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] });
    } else if (request.url === `${prefix}/keys`) {
      counts.jwks += 1;
      send(200, jwks);
    } else {
      send(404, { error: 'not_found' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `https://127.0.0.1:${(server.address() as { port: number }).port}${prefix}`;

  return {
    issuer,
    caCertPath: tls.caCertPath,
    fetches: () => ({ ...counts }),
    async sign(claims, signOpts = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: issuer, iat: now, nbf: now, exp: now + 3600, ...claims })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: signOpts.kid ?? 'test-key-1' })
        .sign(signOpts.key ?? privateKey);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
