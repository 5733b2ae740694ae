// Every option Coffer reads: its type, default and one-line description. This file is the whole truth about
// configuration; README's option table and `coffer serve --help` are generated from it.

import { availableParallelism } from 'node:os';

export interface OptionSpec {
  /** The CLI flag (without leading dashes). */
  flag: string;
  env: string;
  kind: 'string' | 'integer' | 'boolean' | 'list';
  description: string;
  /** Shown in --help; undefined means "no default". */
  defaultValue?: string | number | boolean | string[];
  min?: number;
  max?: number;
}

export interface Config {
  dataDir: string;
  store: string | undefined;
  port: number;
  publicPort: number | undefined;
  workers: number;
  host: string;
  dnsSuffix: string;
  aliases: string[];
  trustedProxies: string[];
  privateListen: string[];
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  tlsCa: string | undefined;
  authorityHost: string | undefined;
  externalIssuers: string[];
  tokenLifetimeSeconds: number;
  defaultRetentionDays: number;
  purgeIntervalSeconds: number;
  rotationIntervalSeconds: number;
  devClock: boolean;
  logLevel: string;
}

export const options = {
  dataDir: { flag: 'data-dir', env: 'COFFER_DATA_DIR', kind: 'string', defaultValue: './data', description: 'Directory holding the database, master key, TLS material, audit logs and credentials.' },
  store: { flag: 'store', env: 'COFFER_STORE_URL', kind: 'string', description: 'Where the data lives: absent = SQLite in the data directory; postgres://USER@HOST:PORT/DATABASE = PostgreSQL, shared by several nodes. The master key file, TLS material and JSON-lines audit files stay in the data directory either way.' },
  port: { flag: 'port', env: 'COFFER_PORT', kind: 'integer', defaultValue: 8443, min: 1, max: 65535, description: 'HTTPS port of the vault, token service and health check.' },
  publicPort: { flag: 'public-port', env: 'COFFER_PUBLIC_PORT', kind: 'integer', min: 1, max: 65535, description: 'Port clients reach the vaults at when a load balancer forwards to this node (default: --port); vault URLs, token audiences and the default authority host use it.' },
  workers: { flag: 'workers', env: 'COFFER_WORKERS', kind: 'integer', defaultValue: availableParallelism(), min: 1, max: 64, description: 'Server processes sharing the port (default: the number of CPU cores).' },
  host: { flag: 'host', env: 'COFFER_HOST', kind: 'string', defaultValue: 'localhost', description: "Address to listen on ('localhost' = 127.0.0.1 and ::1; '0.0.0.0' or '::' for every interface)." },
  dnsSuffix: { flag: 'dns-suffix', env: 'COFFER_DNS_SUFFIX', kind: 'string', defaultValue: 'vault.localhost', description: 'DNS suffix of vault hosts: NAME.<suffix> selects vault NAME.' },
  aliases: { flag: 'alias', env: 'COFFER_ALIASES', kind: 'list', defaultValue: [], description: "Extra host names (comma-separated in the environment) that select the 'default' vault; added to the server certificate." },
  trustedProxies: { flag: 'trusted-proxy', env: 'COFFER_TRUSTED_PROXIES', kind: 'list', defaultValue: [], description: 'Addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed (comma-separated in the environment); the client address of any other peer is its socket address.' },
  privateListen: { flag: 'private-listen', env: 'COFFER_PRIVATE_LISTEN', kind: 'list', defaultValue: [], description: "Private listeners (comma-separated in the environment): HOST:PORT or a Unix socket path. Like an Azure private endpoint, requests arriving there are exempt from vaults' public-network rules; put them on an address only your private network reaches." },
  tlsCert: { flag: 'tls-cert', env: 'COFFER_TLS_CERT', kind: 'string', description: 'PEM certificate (chain) to serve instead of the generated one; needs --tls-key.' },
  tlsKey: { flag: 'tls-key', env: 'COFFER_TLS_KEY', kind: 'string', description: 'PEM private key for --tls-cert.' },
  tlsCa: { flag: 'tls-ca', env: 'COFFER_TLS_CA', kind: 'string', description: 'PEM of the CA that issued --tls-cert, named as caCertPath for clients to trust (default: the --tls-cert file).' },
  authorityHost: { flag: 'authority-host', env: 'COFFER_AUTHORITY_HOST', kind: 'string', description: 'Public https URL of the token service (default https://localhost:<port>); clients pass it as authorityHost.' },
  externalIssuers: { flag: 'external-issuer', env: 'COFFER_EXTERNAL_ISSUERS', kind: 'list', defaultValue: [], description: "OpenID issuers whose access tokens the vaults and management API accept directly (comma-separated in the environment): ISSUER_URL (the exact iss; the principal is the token's oid) or ISSUER_URL|claim=NAME (the principal is that claim, e.g. sub). Keys come from the issuer's discovery document." },
  tokenLifetimeSeconds: { flag: 'token-lifetime', env: 'COFFER_TOKEN_LIFETIME', kind: 'integer', defaultValue: 3600, min: 3600, max: 86400, description: 'Lifetime of issued access tokens, in seconds.' },
  defaultRetentionDays: { flag: 'retention-days', env: 'COFFER_RETENTION_DAYS', kind: 'integer', defaultValue: 90, min: 7, max: 90, description: 'Soft-delete retention of vaults created without an explicit one, in days.' },
  purgeIntervalSeconds: { flag: 'purge-interval', env: 'COFFER_PURGE_INTERVAL', kind: 'integer', defaultValue: 60, min: 1, max: 86400, description: 'How often the scheduler purges soft-deleted objects past their retention, in seconds.' },
  rotationIntervalSeconds: { flag: 'rotation-interval', env: 'COFFER_ROTATION_INTERVAL', kind: 'integer', defaultValue: 60, min: 1, max: 86400, description: 'How often the scheduler rotates keys and records notifications their rotation policies make due, and finishes certificate operations a stopped server left, in seconds.' },
  devClock: { flag: 'dev-clock', env: 'COFFER_DEV_CLOCK', kind: 'boolean', defaultValue: false, description: "Development only: lets the administrator move the server's clock for objects forward (POST /_coffer/dev/clock) to test expiry, rotation and purge without waiting. Never in production." },
  logLevel: { flag: 'log-level', env: 'COFFER_LOG_LEVEL', kind: 'string', defaultValue: 'info', description: 'fatal, error, warn, info, debug or trace.' },
} as const satisfies Record<keyof Config, OptionSpec>;

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
