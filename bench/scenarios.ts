// The benchmark scenarios. Each entry is a wrk request function (Lua) plus an optional setup hook and
// target; to add one, append an entry. In the Lua, `randomName()` returns an existing secret name and
// the Host and Authorization headers are already set (see wrkScript in wrk.ts).

import { luaString } from './wrk.js';

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
}

export interface Scenario {
  name: string;
  description: string;
  /** Lua that defines `request = function() return wrk.format(...) end`. */
  lua(ctx: ScenarioContext): string;
  /** Runs once against Coffer before the scenario's rounds (create keys, roles, …). */
  setup?(ctx: ScenarioContext): Promise<void>;
  /** Issue 3's target: Coffer's req/s at least `minRatio` × the baseline's, p99 at most `maxP99Ms`. */
  target?: { minRatio: number; maxP99Ms?: number };
  /** Not run by default (used by the --scale phase, or named with --scenario). */
  optIn?: boolean;
}

export const API = 'api-version=7.5';
/** Lua string.format pattern and its JavaScript twin; 7 digits cover the --scale vaults. */
export const NAME_PATTERN = 'bench-%07d';
export const secretName = (i: number) => `bench-${String(i).padStart(7, '0')}`;
/** A password-like value of 40 bytes. */
export const SECRET_VALUE = 'Gq7#vX2p!Lr9@tWz4$Nk8&Hs3*Bd6^Yf1%Jm5+Qc';

export const scenarios: Scenario[] = [
  {
    name: 'secret-get',
    description: 'GET /secrets/{random existing name}, bearer token',
    lua: () => `request = function() return wrk.format("GET", "/secrets/" .. randomName() .. "?${API}") end`,
    target: { minRatio: 0.45, maxP99Ms: 15 },
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
