// Run in a child process by conformance tests: msal-node keeps the managed-identity source and its token cache in
// process-wide state (azure-sdk-auth-facts.md §3), so each flavour (App Service, IMDS) needs a fresh process.
// Environment: IDENTITY_ENDPOINT + IDENTITY_HEADER, or AZURE_POD_IDENTITY_AUTHORITY_HOST; NODE_EXTRA_CA_CERTS for the
// server's CA; COFFER_TEST_SCOPE, COFFER_TEST_VAULT_URL; optional COFFER_TEST_CLIENT_ID (a user-assigned identity)
// and COFFER_TEST_CREDENTIAL=default (DefaultAzureCredential instead of ManagedIdentityCredential).
// Prints one JSON line: what the credential got, and what the vault answered to a SecretClient using it.
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { decodeJwt } from 'jose';

const scope = process.env.COFFER_TEST_SCOPE!;
const clientId = process.env.COFFER_TEST_CLIENT_ID;
const credential: TokenCredential =
  process.env.COFFER_TEST_CREDENTIAL === 'default'
    ? new DefaultAzureCredential(clientId === undefined ? {} : { managedIdentityClientId: clientId })
    : new ManagedIdentityCredential({ ...(clientId === undefined ? {} : { clientId }), retryOptions: { maxRetries: 0 } });

const result: Record<string, unknown> = {};
try {
  const token = (await credential.getToken(scope))!;
  const claims = decodeJwt(token.token);
  Object.assign(result, { ok: true, oid: claims.oid, appid: claims.appid, aud: claims.aud, expiresOnTimestamp: token.expiresOnTimestamp });
  // The same credential again is answered from msal's cache.
  const again = (await credential.getToken(scope))!;
  result.cached = again.token === token.token;
  const client = new SecretClient(process.env.COFFER_TEST_VAULT_URL!, credential, { disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 } });
  try {
    await client.getSecret('managed-identity-probe');
    result.vaultStatus = 200;
  } catch (error) {
    const restError = error as { statusCode?: number; code?: string };
    Object.assign(result, { vaultStatus: restError.statusCode, vaultCode: restError.code });
  }
} catch (error) {
  Object.assign(result, { ok: false, error: `${(error as Error).name}: ${(error as Error).message}` });
}
process.stdout.write(`${JSON.stringify(result)}\n`);
