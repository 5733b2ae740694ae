// Merges defaults < config file < COFFER_* environment < command-line flags, validates once, reports every
// problem at once naming the option, and returns a frozen Config. No other module reads process.env.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseExternalIssuer } from '../auth/external-issuers.js';
import { StartupError } from '../errors.js';
import { parseListenAddress } from '../network/listen-address.js';
import { logLevels, options, type Config, type OptionSpec } from './schema.js';

type RawValue = string | number | boolean | string[] | undefined;

export interface ConfigSources {
  /** Flag values as the CLI parsed them, keyed by Config field. */
  flags: Partial<Record<keyof Config, RawValue>>;
  env: NodeJS.ProcessEnv;
  /** Path of a JSON config file whose keys are Config field names. */
  configFile?: string | undefined;
}

export function loadConfig(sources: ConfigSources): Readonly<Config> {
  const problems: string[] = [];
  const fromFile = readConfigFile(sources.configFile, problems);
  const result: Record<string, unknown> = {};

  for (const [field, spec] of Object.entries(options) as Array<[keyof Config, OptionSpec]>) {
    const raw = firstDefined(sources.flags[field], sources.env[spec.env], fromFile[field], spec.defaultValue);
    result[field] = raw === undefined ? undefined : coerce(field, spec, raw, problems);
  }

  const config = result as unknown as Config;
  if (!logLevels.includes(config.logLevel as (typeof logLevels)[number])) {
    problems.push(`log-level: '${config.logLevel}' is not one of ${logLevels.join(', ')}`);
  }
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) {
    problems.push('tls-cert and tls-key must be given together');
  }
  if (config.tlsCa !== undefined && config.tlsCert === undefined) {
    problems.push('tls-ca names the CA of --tls-cert and needs it');
  }
  if (config.authorityHost !== undefined && !/^https:\/\/[^/]+$/.test(config.authorityHost.replace(/\/$/, ''))) {
    problems.push(`authority-host: '${config.authorityHost}' must be an https URL without a path (the SDK refuses http authorities)`);
  }
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*$/i.test(config.dnsSuffix)) {
    problems.push(`dns-suffix: '${config.dnsSuffix}' is not a DNS name`);
  }
  for (const entry of config.privateListen) {
    try {
      parseListenAddress(entry);
    } catch (error) {
      problems.push(`private-listen: ${(error as Error).message}`);
    }
  }
  const externalIssuers = new Set<string>();
  for (const entry of config.externalIssuers) {
    try {
      const { issuer } = parseExternalIssuer(entry);
      if (externalIssuers.has(issuer)) problems.push(`external-issuer: '${issuer}' is configured twice`);
      externalIssuers.add(issuer);
    } catch (error) {
      problems.push(`external-issuer: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) {
    throw new StartupError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }

  config.dataDir = path.resolve(config.dataDir);
  config.dnsSuffix = config.dnsSuffix.toLowerCase();
  config.aliases = config.aliases.map((alias) => alias.toLowerCase());
  config.privateListen = config.privateListen.map((entry) => (parseListenAddress(entry).kind === 'unix' ? path.resolve(entry) : entry));
  if (config.authorityHost !== undefined) config.authorityHost = config.authorityHost.replace(/\/$/, '');
  return Object.freeze(config);
}

function readConfigFile(file: string | undefined, problems: string[]): Record<string, RawValue> {
  if (file === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      problems.push(`config file ${file}: must hold a JSON object`);
      return {};
    }
    for (const key of Object.keys(parsed)) {
      if (!(key in options)) problems.push(`config file ${file}: unknown option '${key}'`);
    }
    return parsed as Record<string, RawValue>;
  } catch (error) {
    problems.push(`config file ${file}: ${(error as Error).message}`);
    return {};
  }
}

function firstDefined(...values: RawValue[]): RawValue {
  return values.find((value) => value !== undefined && value !== '');
}

function coerce(field: string, spec: OptionSpec, raw: RawValue, problems: string[]): unknown {
  const name = `${spec.flag} (${spec.env})`;
  switch (spec.kind) {
    case 'string':
      if (typeof raw !== 'string') problems.push(`${name}: expected text`);
      return String(raw);
    case 'integer': {
      const value = typeof raw === 'number' ? raw : Number(raw);
      if (!Number.isInteger(value)) {
        problems.push(`${name}: '${String(raw)}' is not a whole number`);
      } else if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
        problems.push(`${name}: ${value} is outside ${spec.min}..${spec.max}`);
      }
      return value;
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      problems.push(`${name}: '${String(raw)}' is not true or false`);
      return false;
    case 'list':
      if (Array.isArray(raw)) return raw.map(String).filter((item) => item !== '');
      return String(raw)
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    default:
      problems.push(`${field}: unknown option kind`);
      return raw;
  }
}
