import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { StartupError } from '../errors.js';
import { loadConfig } from './load.js';
import { options } from './schema.js';

const root = await mkdtemp(path.join(tmpdir(), 'coffer-config-'));
after(() => rm(root, { recursive: true, force: true }));

let files = 0;
async function configFile(content: unknown): Promise<string> {
  const file = path.join(root, `config-${files++}.json`);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** The StartupError loadConfig throws, so a test can look at every problem it names. */
function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof StartupError, `expected a StartupError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('loadConfig accepted an invalid configuration');
}

describe('loadConfig defaults', () => {
  it('gives every option its schema default', () => {
    const config = loadConfig({ flags: {}, env: {} });
    const expected = Object.fromEntries(Object.entries(options).map(([field, spec]) => [field, 'defaultValue' in spec ? spec.defaultValue : undefined]));
    assert.deepEqual({ ...config }, { ...expected, dataDir: path.resolve(String(options.dataDir.defaultValue)) });
    // The defaults the README's quick start relies on.
    assert.equal(config.port, 8443);
    assert.equal(config.host, 'localhost');
    assert.equal(config.dnsSuffix, 'vault.localhost');
    assert.deepEqual(config.aliases, []);
    assert.equal(config.tlsCert, undefined);
    assert.equal(config.tlsKey, undefined);
    assert.equal(config.authorityHost, undefined);
  });

  it('covers every option of the schema and returns a frozen object', () => {
    const config = loadConfig({ flags: {}, env: {} });
    assert.deepEqual(Object.keys(config).sort(), Object.keys(options).sort());
    assert.ok(Object.isFrozen(config));
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
  });

  it('ignores environment variables that are not its own', () => {
    const config = loadConfig({ flags: {}, env: { PORT: '1', HOST: 'elsewhere', COFFER_UNKNOWN: 'x' } });
    assert.equal(config.port, 8443);
    assert.equal(config.host, 'localhost');
  });
});

describe('loadConfig precedence: defaults < file < environment < flags', () => {
  it('takes each option from the highest source that sets it', async () => {
    const lifetime = options.tokenLifetimeSeconds;
    const file = await configFile({ port: 1111, host: 'file-host', dnsSuffix: 'file.example', tokenLifetimeSeconds: lifetime.min, logLevel: 'debug' });
    const config = loadConfig({
      flags: { port: '3333' },
      env: { COFFER_PORT: '2222', COFFER_HOST: 'env-host', COFFER_TOKEN_LIFETIME: String(lifetime.max) },
      configFile: file,
    });
    assert.equal(config.port, 3333); // flag over environment over file
    assert.equal(config.host, 'env-host'); // environment over file
    assert.equal(config.tokenLifetimeSeconds, lifetime.max); // environment over file
    assert.equal(config.dnsSuffix, 'file.example'); // file over default
    assert.equal(config.logLevel, 'debug'); // file over default
    assert.equal(config.purgeIntervalSeconds, 60); // default
  });

  it('lets the environment override the file and defaults when no flag is given', async () => {
    const file = await configFile({ port: 1111 });
    assert.equal(loadConfig({ flags: {}, env: { COFFER_PORT: '2222' }, configFile: file }).port, 2222);
    assert.equal(loadConfig({ flags: {}, env: {}, configFile: file }).port, 1111);
  });

  it('treats an empty environment variable as unset', async () => {
    const file = await configFile({ host: 'file-host' });
    const config = loadConfig({ flags: {}, env: { COFFER_HOST: '', COFFER_PORT: '' }, configFile: file });
    assert.equal(config.host, 'file-host');
    assert.equal(config.port, 8443);
  });

  it('reads lists from comma-separated environment values and from arrays, lower-cased', async () => {
    assert.deepEqual(loadConfig({ flags: {}, env: { COFFER_ALIASES: ' Vault.Example.com, ,kv.internal ' } }).aliases, ['vault.example.com', 'kv.internal']);
    const file = await configFile({ aliases: ['From.File'] });
    assert.deepEqual(loadConfig({ flags: {}, env: {}, configFile: file }).aliases, ['from.file']);
    assert.deepEqual(loadConfig({ flags: { aliases: ['Flag.One', 'flag.two'] }, env: { COFFER_ALIASES: 'env.one' }, configFile: file }).aliases, ['flag.one', 'flag.two']);
  });

  it('normalizes paths, the DNS suffix and the authority host', () => {
    const config = loadConfig({
      flags: { dataDir: 'relative/dir', authorityHost: 'https://login.example.test:8443/' },
      env: { COFFER_DNS_SUFFIX: 'KV.Example.TEST' },
    });
    assert.equal(config.dataDir, path.resolve('relative/dir'));
    assert.equal(config.dnsSuffix, 'kv.example.test');
    assert.equal(config.authorityHost, 'https://login.example.test:8443');
  });

  it('reads private listeners, resolving socket paths', () => {
    const config = loadConfig({ flags: {}, env: { COFFER_PRIVATE_LISTEN: '10.1.2.3:8444, ./run/private.sock,[fd00::1]:9443' } });
    assert.deepEqual(config.privateListen, ['10.1.2.3:8444', path.resolve('run/private.sock'), '[fd00::1]:9443']);
  });

  it('reads external issuers from flags or, comma-separated, from the environment', () => {
    const fromEnv = loadConfig({ flags: {}, env: { COFFER_EXTERNAL_ISSUERS: 'https://login.microsoftonline.com/t1/v2.0, https://keycloak.example/realms/main|claim=sub' } });
    assert.deepEqual(fromEnv.externalIssuers, ['https://login.microsoftonline.com/t1/v2.0', 'https://keycloak.example/realms/main|claim=sub']);
    const fromFlags = loadConfig({ flags: { externalIssuers: ['https://sts.windows.net/t1/'] }, env: {} });
    assert.deepEqual(fromFlags.externalIssuers, ['https://sts.windows.net/t1/']);
  });

  it('accepts a TLS certificate and key given together', () => {
    const config = loadConfig({ flags: { tlsCert: '/etc/coffer/cert.pem' }, env: { COFFER_TLS_KEY: '/etc/coffer/key.pem' } });
    assert.equal(config.tlsCert, '/etc/coffer/cert.pem');
    assert.equal(config.tlsKey, '/etc/coffer/key.pem');
  });
});

describe('loadConfig validation', () => {
  it('names the option and the value of an out-of-range port', () => {
    const message = problemsOf(() => loadConfig({ flags: { port: '70000' }, env: {} }));
    assert.match(message, /port/);
    assert.match(message, /70000/);
    assert.match(message, /1\.\.65535/);
  });

  it('names a private listener that is neither HOST:PORT nor a socket path', () => {
    const message = problemsOf(() => loadConfig({ flags: { privateListen: ['10.1.2.3'] }, env: {} }));
    assert.match(message, /private-listen: '10\.1\.2\.3' is not HOST:PORT/);
  });

  it('names each external issuer it cannot use, and one given twice', () => {
    const message = problemsOf(() =>
      loadConfig({
        flags: { externalIssuers: ['http://idp.example', 'https://idp.example|claim=sub|tenant=x', 'https://ok.example', 'https://ok.example|claim=sub'] },
        env: {},
      }),
    );
    assert.match(message, /external-issuer: 'http:\/\/idp\.example': the issuer must be an https URL/);
    assert.match(message, /external-issuer: 'https:\/\/idp\.example\|claim=sub\|tenant=x': unknown option 'tenant'/);
    assert.match(message, /external-issuer: 'https:\/\/ok\.example' is configured twice/);
    assert.equal(message.split('\n  - ').length - 1, 3, message);
  });

  it('names an option from the environment by flag and variable', () => {
    const message = problemsOf(() => loadConfig({ flags: {}, env: { COFFER_PURGE_INTERVAL: 'soon' } }));
    assert.match(message, /purge-interval/);
    assert.match(message, /COFFER_PURGE_INTERVAL/);
    assert.match(message, /'soon' is not a whole number/);
  });

  it('reports every problem at once', async () => {
    const retention = options.defaultRetentionDays;
    const file = await configFile({ defaultRetentionDays: retention.min - 1, surprise: true });
    const message = problemsOf(() =>
      loadConfig({
        flags: { port: '70000', tlsCert: '/only/the/cert.pem' },
        env: { COFFER_TOKEN_LIFETIME: '12.5', COFFER_LOG_LEVEL: 'loud', COFFER_AUTHORITY_HOST: 'http://login.example.test', COFFER_DNS_SUFFIX: 'not a suffix' },
        configFile: file,
      }),
    );
    for (const expected of [
      /port \(COFFER_PORT\): 70000 is outside 1\.\.65535/,
      /token-lifetime \(COFFER_TOKEN_LIFETIME\): '12\.5' is not a whole number/,
      new RegExp(`retention-days \\(COFFER_RETENTION_DAYS\\): ${retention.min - 1} is outside ${retention.min}\\.\\.${retention.max}`),
      /unknown option 'surprise'/,
      /log-level: 'loud'/,
      /tls-cert and tls-key must be given together/,
      /authority-host: 'http:\/\/login\.example\.test'/,
      /dns-suffix: 'not a suffix'/,
    ]) {
      assert.match(message, expected);
    }
    assert.equal(message.split('\n  - ').length - 1, 8, message);
  });

  it('refuses integers below their minimum and non-numbers', () => {
    assert.match(problemsOf(() => loadConfig({ flags: { port: '0' }, env: {} })), /port .*0 is outside/);
    const { min, max } = options.tokenLifetimeSeconds;
    assert.match(problemsOf(() => loadConfig({ flags: { tokenLifetimeSeconds: String(min - 1) }, env: {} })), new RegExp(`token-lifetime .*${min - 1} is outside ${min}\\.\\.${max}`));
    assert.match(problemsOf(() => loadConfig({ flags: { tokenLifetimeSeconds: String(max + 1) }, env: {} })), new RegExp(`token-lifetime .*${max + 1} is outside`));
    assert.match(problemsOf(() => loadConfig({ flags: { port: 'https' }, env: {} })), /port .*'https' is not a whole number/);
  });

  it('refuses a value of the wrong JSON type in the config file', async () => {
    const file = await configFile({ host: 42, port: '8443x' });
    const message = problemsOf(() => loadConfig({ flags: {}, env: {}, configFile: file }));
    assert.match(message, /host \(COFFER_HOST\): expected text/);
    assert.match(message, /port \(COFFER_PORT\): '8443x' is not a whole number/);
  });

  it('names a config file that is missing, not JSON, or not an object', async () => {
    const missing = path.join(root, 'absent.json');
    assert.match(problemsOf(() => loadConfig({ flags: {}, env: {}, configFile: missing })), new RegExp(`config file ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const broken = await configFile('{ "port": ');
    assert.match(problemsOf(() => loadConfig({ flags: {}, env: {}, configFile: broken })), /config file .*config-\d+\.json/);
    const array = await configFile([1, 2]);
    assert.match(problemsOf(() => loadConfig({ flags: {}, env: {}, configFile: array })), /must hold a JSON object/);
  });

  it('still reports flag problems when the config file is unreadable', () => {
    const message = problemsOf(() => loadConfig({ flags: { port: '-1' }, env: {}, configFile: path.join(root, 'nope.json') }));
    assert.match(message, /nope\.json/);
    assert.match(message, /port/);
  });
});
