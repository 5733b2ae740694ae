// Connects the official Azure SDK to a local Coffer and round-trips a secret.
// Run: NODE_EXTRA_CA_CERTS=data/tls/ca.pem node examples/quickstart.mjs
import { readFileSync } from 'node:fs';
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';

const creds = JSON.parse(readFileSync(process.env.COFFER_CREDENTIALS ?? 'data/admin-credentials.json', 'utf8'));

const credential = new ClientSecretCredential(creds.tenantId, creds.clientId, creds.clientSecret, {
  authorityHost: creds.authorityHost, // Coffer's built-in token service
  disableInstanceDiscovery: true, // do not ask login.microsoftonline.com about it
});
// https://localhost:PORT is the default vault; the SDK's challenge-resource check cannot pass for
// "localhost", so it is turned off here. Named vaults (https://NAME.vault.localhost:PORT) keep it on.
const client = new SecretClient(creds.vaultUrl, credential, { disableChallengeResourceVerification: true });

await client.setSecret('db-password', 'correct horse battery staple');
const secret = await client.getSecret('db-password');
console.log(`${secret.name} = ${secret.value} (version ${secret.properties.version})`);
