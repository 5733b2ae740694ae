// Mints the RS256 access tokens of the built-in token service, shaped like the app-only tokens Entra ID gives Key Vault.
// It signs whatever identity it is handed: checking the caller's credentials is the token endpoint's job, never this one's.
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { unixSeconds, type Clock } from '../../clock.js';
import type { SigningKeys } from './signing-keys.js';

export interface AccessTokenRequest {
  tenantId: string;
  objectId: string;
  appId: string;
  audience: string;
  scope?: string;
}

export function createTokenIssuer(deps: {
  keys: Pick<SigningKeys, 'current'>;
  issuer: string /* e.g. https://localhost:8443/<tenant>/v2.0 */;
  lifetimeSeconds: number;
  clock: Clock;
}): {
  issueAccessToken(req: AccessTokenRequest): Promise<{ accessToken: string; expiresIn: number; expiresOn: number /* unix s */ }>;
} {
  return {
    async issueAccessToken(req) {
      const { kid, privateKey } = deps.keys.current();
      const issuedAt = unixSeconds(deps.clock);
      const expiresOn = issuedAt + deps.lifetimeSeconds;
      // Entra's uti is 16 random bytes in base64url; jti carries the same value for generic JWT tooling.
      const tokenId = randomBytes(16).toString('base64url');
      // ver 2.0 matches our issuer (<authority>/<tenant>/v2.0, from the v2 discovery document). Entra's v2 tokens name
      // the client azp; we also carry the v1 appid/appidacr, which Key Vault's audit and our verifier read.
      // req.scope adds no claim: Entra's client-credential tokens carry no scp, only the audience it names.
      const accessToken = await new SignJWT({
        tid: req.tenantId,
        oid: req.objectId,
        appid: req.appId,
        azp: req.appId,
        appidacr: '1',
        idtyp: 'app',
        ver: '2.0',
        uti: tokenId,
      })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
        .setIssuer(deps.issuer)
        .setAudience(req.audience)
        .setSubject(req.objectId)
        .setIssuedAt(issuedAt)
        .setNotBefore(issuedAt)
        .setExpirationTime(expiresOn)
        .setJti(tokenId)
        .sign(privateKey);
      return { accessToken, expiresIn: deps.lifetimeSeconds, expiresOn };
    },
  };
}
