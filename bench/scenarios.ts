// The benchmark scenarios. Each entry is a wrk request function (Lua) plus an optional setup hook and
// target; to add one, append an entry. In the Lua, `randomName()` returns an existing secret name and
// the Host and Authorization headers are already set (see wrkScript in wrk.ts). The key scenarios (group
// 'keys') compare with the raw node:crypto rate of their operation instead of the node:https baseline; the
// certificate scenario (group 'certificates') is driven by bench/certificate-driver.ts instead of wrk.

import { encodeSkipToken } from '../src/http/data-plane/wire/paging.js';
import { DIGEST, KEY_TO_WRAP, PLAINTEXT, type RawOpName } from './crypto-ops.js';
import { request } from './servers.js';
import { luaString, wrkScript } from './wrk.js';

export interface ScenarioContext {
  /** Coffer's port (the Host header names it; the baseline ignores it). */
  port: number;
  token: string;
  /** PEM of the CA that issued the server certificate, for setup requests. */
  ca: string;
  /** Secrets bench-0000001 … bench-<secretCount> exist in the default vault. */
  secretCount: number;
  /** The fixed secret value used when filling (40 bytes). */
  value: string;
  /** A $skiptoken (as a nextLink carries it) positioned 90% into the keyspace. */
  deepSkipToken: string;
  /** versions[i - 1] is the version of secret i the fill created (absent for the --scale vault, filled outside HTTP). */
  versions?: string[];
  /** Runs `coffer <args> --data-dir <the bench's>` and parses its JSON output (principals, role assignments). */
  cli(...args: string[]): Promise<unknown>;
  /** A vault access token for a principal's client credentials. */
  tokenFor(client: { clientId: string; clientSecret: string }): Promise<string>;
}

export interface Scenario {
  name: string;
  description: string;
  /** Lua that defines `request = function() return wrk.format(...) end`; absent for a `certificate` scenario. */
  lua?(ctx: ScenarioContext): string;
  /** Runs once against Coffer before the scenario's rounds (create keys, roles, …); may give the load another token. */
  setup?(ctx: ScenarioContext): Promise<void | { token: string }>;
  /** Issue 3's target: Coffer's req/s at least `minRatio` × the baseline's, p99 at most `maxP99Ms`. */
  target?: { minRatio: number; maxP99Ms?: number };
  /** A target relative to another scenario of the same run: this one's ratio ≥ `minRatio` × that one's. */
  relativeTarget?: { scenario: string; minRatio: number };
  /** Not run by default (used by the --scale phase, or named with --scenario). */
  optIn?: boolean;
  /** 'keys': run by default only with --keys, 'certificates' only with --certificates (both by --quick), see options.ts. */
  group?: 'keys' | 'certificates';
  /**
   * The baseline is this raw operation (bench/crypto-ops.ts) on one thread per core, measured in the same run and
   * interleaved with Coffer's rounds, instead of the node:https server.
   */
  rawCrypto?: RawOpName;
  /** A second raw operation measured alongside, for reference only (ES256: the @noble/curves call Coffer makes). */
  rawReference?: RawOpName;
  /**
   * Certificate creation: no wrk; bench/certificate-driver.ts creates certificates with this CreateCertificate body
   * (a fresh name each) and polls each operation until it completes. `rawCrypto` is the baseline.
   */
  certificate?: { body: object; keySize: number; subject: string };
}

export const API = 'api-version=7.5';
/** Lua string.format pattern and its JavaScript twin; 7 digits cover the --scale vaults. */
export const NAME_PATTERN = 'bench-%07d';
export const secretName = (i: number) => `bench-${String(i).padStart(7, '0')}`;
/** A password-like value of 40 bytes. */
export const SECRET_VALUE = 'Gq7#vX2p!Lr9@tWz4$Nk8&Hs3*Bd6^Yf1%Jm5+Qc';

/** The $skiptoken a nextLink carries for a position 90% into the vault's names. */
export const deepToken = (secretCount: number) => encodeSkipToken(secretName(Math.max(1, Math.floor(secretCount * 0.9))).toLowerCase());

/** A scenario's complete wrk script for a server (Host: localhost:<ctx.port>, ctx.token); `inspect` for the probe. */
export function scriptFor(scenario: Scenario, ctx: ScenarioContext, inspect = false): string {
  if (scenario.lua === undefined) throw new Error(`scenario ${scenario.name} has no wrk request`);
  return wrkScript({ requestLua: scenario.lua(ctx), host: `localhost:${ctx.port}`, token: ctx.token, secretCount: ctx.secretCount, namePattern: NAME_PATTERN, inspect });
}

export const scenarios: Scenario[] = [
  {
    name: 'secret-get',
    description: 'GET /secrets/{random existing name}, bearer token',
    lua: () => `request = function() return wrk.format("GET", "/secrets/" .. randomName() .. "?${API}") end`,
    target: { minRatio: 0.45, maxP99Ms: 15 },
  },
  {
    name: 'secret-get-secrets-user',
    description: "GET /secrets/{random existing name} as a principal holding only 'Key Vault Secrets User' on the vault (not the administrator)",
    lua: () => `request = function() return wrk.format("GET", "/secrets/" .. randomName() .. "?${API}") end`,
    async setup(ctx) {
      const reader = (await ctx.cli('principal', 'create', 'bench secrets user')) as { clientId: string; clientSecret: string };
      await ctx.cli('role', 'assignment', 'create', '--assignee', reader.clientId, '--role', 'Key Vault Secrets User', '--vault', 'default');
      return { token: await ctx.tokenFor(reader) };
    },
    // Issue 7: a least-privilege caller's decision costs no more than the administrator's.
    relativeTarget: { scenario: 'secret-get', minRatio: 0.9 },
  },
  {
    name: 'secret-get-version',
    description: 'GET /secrets/{random existing name}/{its first version}, bearer token',
    lua: (ctx) => {
      const versions = ctx.versions;
      if (versions === undefined || versions.length < ctx.secretCount) throw new Error('secret-get-version needs the versions the fill created');
      return `local versions = {${versions.slice(0, ctx.secretCount).map((v) => luaString(v)).join(',')}}
request = function()
  local i = math.random(secretCount)
  return wrk.format("GET", "/secrets/" .. string.format(namePattern, i) .. "/" .. versions[i] .. "?${API}")
end`;
    },
    // Not in the default run (it reads like secret-get); the --store postgres comparison uses it.
    optIn: true,
  },
  {
    name: 'secret-set',
    description: 'PUT /secrets/{random existing name}: a new version, durable before the 200',
    lua: (ctx) => `wrk.headers["Content-Type"] = "application/json"
local body = ${luaString(JSON.stringify({ value: ctx.value }))}
request = function() return wrk.format("PUT", "/secrets/" .. randomName() .. "?${API}", nil, body) end`,
    target: { minRatio: 0.2 },
  },
  {
    name: 'secret-list',
    description: 'GET /secrets, first page of 25',
    lua: () => `request = function() return wrk.format("GET", "/secrets?${API}&maxresults=25") end`,
    target: { minRatio: 0.25 },
  },
  {
    name: 'secret-list-deep',
    description: 'GET /secrets, a page of 25 starting 90% into the keyspace ($skiptoken)',
    lua: (ctx) => `request = function() return wrk.format("GET", "/secrets?${API}&maxresults=25&%24skiptoken=${ctx.deepSkipToken}") end`,
    optIn: true,
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Key operations: POST /keys/{name}/{version}/{operation} with Azure's bodies, against raw node:crypto.

type KeySpec = { name: string; body: Record<string, unknown> };
const RSA_SIGN_KEY: KeySpec = { name: 'bench-rsa-sign', body: { kty: 'RSA', key_size: 2048, key_ops: ['sign', 'verify'] } };
const EC_SIGN_KEY: KeySpec = { name: 'bench-ec-sign', body: { kty: 'EC', crv: 'P-256', key_ops: ['sign', 'verify'] } };
const RSA_WRAP_KEY: KeySpec = { name: 'bench-rsa-wrap', body: { kty: 'RSA', key_size: 2048, key_ops: ['wrapKey', 'unwrapKey'] } };
const AES_WRAP_KEY: KeySpec = { name: 'bench-aes-wrap', body: { kty: 'oct', key_size: 256, key_ops: ['wrapKey', 'unwrapKey'] } };
const AES_GCM_KEY: KeySpec = { name: 'bench-aes-gcm', body: { kty: 'oct', key_size: 256, key_ops: ['encrypt', 'decrypt'] } };

const b64u = (bytes: Buffer) => bytes.toString('base64url');

/** Versions of the keys created so far, per server (port) and name: the wrap and unwrap scenarios share a key. */
const keyVersions = new Map<string, string>();

async function ensureKey(ctx: ScenarioContext, key: KeySpec): Promise<string> {
  const cacheKey = `${ctx.port}/${key.name}`;
  let version = keyVersions.get(cacheKey);
  if (version === undefined) {
    const res = await request(ctx.port, 'POST', `/keys/${key.name}/create?${API}`, { ca: ctx.ca, token: ctx.token, body: JSON.stringify(key.body) });
    if (res.status !== 200) throw new Error(`setup: creating key ${key.name} answered ${res.status}: ${res.body}`);
    const kid = (JSON.parse(res.body) as { key: { kid: string } }).key.kid;
    version = kid.slice(kid.lastIndexOf('/') + 1);
    keyVersions.set(cacheKey, version);
  }
  return version;
}

/** One key operation through the API (setup: makes the valid input of a consuming operation). */
async function keyOperation(ctx: ScenarioContext, key: KeySpec, version: string, operation: string, body: object): Promise<Record<string, string>> {
  const res = await request(ctx.port, 'POST', `/keys/${key.name}/${version}/${operation}?${API}`, { ca: ctx.ca, token: ctx.token, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`setup: ${operation} with ${key.name} answered ${res.status}: ${res.body}`);
  return JSON.parse(res.body) as Record<string, string>;
}

/**
 * A key scenario: setup creates the key (once per server) and builds the fixed request body, which `body` may
 * derive from an operation through the API (unwrap a value Coffer wrapped, decrypt what it encrypted).
 */
function keyScenario(opts: {
  name: string;
  description: string;
  key: KeySpec;
  operation: 'sign' | 'wrapkey' | 'unwrapkey' | 'encrypt' | 'decrypt';
  body(ctx: ScenarioContext, version: string): Promise<object> | object;
  rawCrypto: RawOpName;
  rawReference?: RawOpName;
}): Scenario {
  let prepared: { path: string; body: string } | undefined;
  return {
    name: opts.name,
    description: opts.description,
    group: 'keys',
    rawCrypto: opts.rawCrypto,
    ...(opts.rawReference === undefined ? {} : { rawReference: opts.rawReference }),
    async setup(ctx) {
      const version = await ensureKey(ctx, opts.key);
      prepared = { path: `/keys/${opts.key.name}/${version}/${opts.operation}?${API}`, body: JSON.stringify(await opts.body(ctx, version)) };
    },
    lua() {
      if (!prepared) throw new Error(`scenario ${opts.name}: setup has not run`);
      return `wrk.headers["Content-Type"] = "application/json"
local body = ${luaString(prepared.body)}
request = function() return wrk.format("POST", ${luaString(prepared.path)}, nil, body) end`;
    },
  };
}

const wrapped = async (ctx: ScenarioContext, key: KeySpec, version: string, alg: string) => ({
  alg,
  value: (await keyOperation(ctx, key, version, 'wrapkey', { alg, value: b64u(KEY_TO_WRAP) })).value,
});

scenarios.push(
  keyScenario({
    name: 'key-sign-rs256',
    description: 'POST /keys/{RSA-2048}/{version}/sign, RS256 over a 32-byte digest (key-operation threads)',
    key: RSA_SIGN_KEY,
    operation: 'sign',
    body: () => ({ alg: 'RS256', value: b64u(DIGEST) }),
    rawCrypto: 'rs256-sign',
  }),
  keyScenario({
    name: 'key-sign-es256',
    description: 'POST /keys/{EC P-256}/{version}/sign, ES256 over a 32-byte digest (key-operation threads, @noble/curves)',
    key: EC_SIGN_KEY,
    operation: 'sign',
    body: () => ({ alg: 'ES256', value: b64u(DIGEST) }),
    rawCrypto: 'es256-sign',
    rawReference: 'es256-sign-noble',
  }),
  keyScenario({
    name: 'key-wrap-rsa-oaep-256',
    description: 'POST /keys/{RSA-2048}/{version}/wrapkey, RSA-OAEP-256 of a 32-byte key (public op, on the event loop)',
    key: RSA_WRAP_KEY,
    operation: 'wrapkey',
    body: () => ({ alg: 'RSA-OAEP-256', value: b64u(KEY_TO_WRAP) }),
    rawCrypto: 'rsa-oaep-256-wrap',
  }),
  keyScenario({
    name: 'key-unwrap-rsa-oaep-256',
    description: 'POST /keys/{RSA-2048}/{version}/unwrapkey, RSA-OAEP-256 of a key Coffer wrapped (key-operation threads)',
    key: RSA_WRAP_KEY,
    operation: 'unwrapkey',
    body: (ctx, version) => wrapped(ctx, RSA_WRAP_KEY, version, 'RSA-OAEP-256'),
    rawCrypto: 'rsa-oaep-256-unwrap',
  }),
  keyScenario({
    name: 'key-wrap-a256kw',
    description: 'POST /keys/{oct 256}/{version}/wrapkey, A256KW of a 32-byte key (on the event loop)',
    key: AES_WRAP_KEY,
    operation: 'wrapkey',
    body: () => ({ alg: 'A256KW', value: b64u(KEY_TO_WRAP) }),
    rawCrypto: 'a256kw-wrap',
  }),
  keyScenario({
    name: 'key-unwrap-a256kw',
    description: 'POST /keys/{oct 256}/{version}/unwrapkey, A256KW of a key Coffer wrapped (on the event loop)',
    key: AES_WRAP_KEY,
    operation: 'unwrapkey',
    body: (ctx, version) => wrapped(ctx, AES_WRAP_KEY, version, 'A256KW'),
    rawCrypto: 'a256kw-unwrap',
  }),
  keyScenario({
    name: 'key-encrypt-a256gcm',
    description: 'POST /keys/{oct 256}/{version}/encrypt, A256GCM of 1 KiB, server-generated IV (on the event loop)',
    key: AES_GCM_KEY,
    operation: 'encrypt',
    body: () => ({ alg: 'A256GCM', value: b64u(PLAINTEXT) }),
    rawCrypto: 'a256gcm-encrypt',
  }),
  keyScenario({
    name: 'key-decrypt-a256gcm',
    description: 'POST /keys/{oct 256}/{version}/decrypt, A256GCM of 1 KiB Coffer encrypted (value, iv, tag; on the event loop)',
    key: AES_GCM_KEY,
    operation: 'decrypt',
    async body(ctx, version) {
      const { value, iv, tag } = await keyOperation(ctx, AES_GCM_KEY, version, 'encrypt', { alg: 'A256GCM', value: b64u(PLAINTEXT) });
      return { alg: 'A256GCM', value, iv, tag };
    },
    rawCrypto: 'a256gcm-decrypt',
  }),
);

// ---------------------------------------------------------------------------------------------------------------
// Certificate creation: POST /certificates/{fresh name}/create, then GET …/pending until completed, against raw
// node:crypto RSA-2048 key generation plus one signature.

const CERTIFICATE_SUBJECT = 'CN=bench';

scenarios.push({
  name: 'certificate-create-rsa2048',
  description:
    'POST /certificates/{fresh name}/create, RSA-2048 self-signed (issuer Self), then GET /certificates/{name}/pending until completed: ' +
    'completed certificates/s end to end (certificate driver, not wrk)',
  group: 'certificates',
  rawCrypto: 'rsa-2048-keygen-sign',
  certificate: {
    body: { policy: { key_props: { kty: 'RSA', key_size: 2048 }, x509_props: { subject: CERTIFICATE_SUBJECT }, issuer: { name: 'Self' } } },
    keySize: 2048,
    subject: CERTIFICATE_SUBJECT,
  },
});
