// `coffer serve`: runs the server in the foreground until SIGTERM or SIGINT, then stops cleanly (in-flight
// requests finish, the audit log is flushed, storage closed). With --workers N > 1 the process becomes a
// node:cluster primary (see cluster.ts) and each worker serves HTTPS on the same port.
import cluster from 'node:cluster';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { initialize, serve, startJobs, type AppInfo } from '../app.js';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config/load.js';
import { options, type Config, type OptionSpec } from '../config/schema.js';
import { createLogger } from '../logger.js';
import { removeStaleSocket } from '../http/private-listener.js';
import { formatListenAddress, parseListenAddress } from '../network/listen-address.js';
import { startWorkers } from './cluster.js';

export function addServeCommand(program: Command): void {
  const serveCommand = program.command('serve', { isDefault: true }).description('run the vault server over HTTPS (the default command)');
  for (const spec of Object.values(options) as OptionSpec[]) {
    const placeholder = spec.kind === 'boolean' ? '' : spec.kind === 'list' ? ' <names...>' : ' <value>';
    const shown = spec.defaultValue === undefined || (Array.isArray(spec.defaultValue) && spec.defaultValue.length === 0) ? '' : ` (default: ${String(spec.defaultValue)})`;
    serveCommand.option(`--${spec.flag}${placeholder}`, `${spec.description} [env ${spec.env}]${shown}`);
  }
  serveCommand.option('--config <file>', 'JSON file of options (keys as in the README table); flags and environment override it [env COFFER_CONFIG]');
  serveCommand.addHelpText('after', '\nThe master key comes from <data-dir>/master.key (created on first start) or COFFER_MASTER_KEY (base64 or hex of 32 bytes).');
  serveCommand.action(async (flags: Record<string, unknown>) => {
    const config = loadConfig({ flags: flagsToConfig(flags), env: process.env, configFile: (flags.config as string | undefined) ?? process.env.COFFER_CONFIG });
    const logger = createLogger({ level: config.logLevel });
    const opts = { config, masterKeyFromEnvironment: process.env.COFFER_MASTER_KEY, logger, clock: systemClock };

    const initialized = await initialize(opts);
    if (cluster.isWorker) {
      const serving = await serve(initialized, opts);
      onStopSignal(logger, async () => {
        await serving.close();
        await initialized.close();
      });
      return;
    }

    // Before any worker listens: with several workers the primary owns the listening socket.
    for (const entry of config.privateListen) {
      const address = parseListenAddress(entry);
      if (address.kind === 'unix') await removeStaleSocket(address.path);
    }
    const jobs = startJobs(initialized, opts);
    let stopServing: (signal: NodeJS.Signals) => Promise<void>;
    try {
      if (config.workers === 1) {
        const serving = await serve(initialized, opts);
        stopServing = () => serving.close();
      } else {
        const workers = await startWorkers({ count: config.workers, logger });
        stopServing = (signal) => workers.stop(signal);
      }
    } catch (error) {
      await jobs.stop();
      await initialized.close();
      throw error;
    }
    logger.info({ config: { ...config }, masterKey: initialized.info.masterKey }, 'coffer started');
    if (initialized.info.imdsBindings.length > 0) {
      logger.warn({ imdsBindings: initialized.info.imdsBindings }, 'managed identities are handed to IMDS-style callers by address alone');
      process.stdout.write(
        '*** IMDS: these managed identities go to any caller from their addresses, without a secret ***\n' +
          initialized.info.imdsBindings.map((binding) => `  ${binding.displayName} (${binding.clientId}): ${binding.addresses.join(', ')}\n`).join('') +
          '  Change with: coffer identity imds-addresses <clientId> [address...]\n\n',
      );
    }
    process.stdout.write(banner(initialized.info, config.workers, config.privateListen, config.externalIssuers));
    if (config.devClock) {
      logger.warn('development clock is ON (--dev-clock): the administrator can move object time forward; never use this in production');
      process.stdout.write(
        '*** DEVELOPMENT CLOCK IS ON (--dev-clock) ***\n' +
          '  The administrator can move the time of objects forward (POST /_coffer/dev/clock): expiry, rotation and\n' +
          '  purge then happen early. For testing only - never run a real vault like this.\n\n',
      );
    }
    onStopSignal(logger, async (signal) => {
      await stopServing(signal);
      await jobs.stop();
      await initialized.close();
    });
  });
}

function onStopSignal(logger: Logger, stop: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, pid: process.pid }, 'stopping: finishing in-flight requests');
    stop(signal).then(
      () => {
        logger.info({ pid: process.pid }, 'stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'stopping failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', handle);
  process.once('SIGINT', handle);
}

function flagsToConfig(flags: Record<string, unknown>): Partial<Record<keyof Config, string | string[] | undefined>> {
  const result: Partial<Record<keyof Config, string | string[] | undefined>> = {};
  for (const [field, spec] of Object.entries(options) as Array<[keyof Config, OptionSpec]>) {
    const camel = spec.flag.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
    const value = flags[camel];
    if (value !== undefined) result[field] = value as string | string[];
  }
  return result;
}

function banner(info: AppInfo, workers: number, privateListen: readonly string[], externalIssuers: readonly string[]): string {
  return [
    '',
    `Coffer is serving Azure Key Vault at ${info.vaultUrl} (${workers} worker${workers === 1 ? '' : 's'})`,
    ...privateListen.map((entry) => `  private listener (exempt from vault firewalls): ${formatListenAddress(parseListenAddress(entry))}`),
    `  token service (authorityHost): ${info.authorityHost}   tenant: ${info.tenantId}`,
    ...externalIssuers.map((entry) => `  trusts tokens of:              ${entry}`),
    `  administrator credentials:     ${info.credentialsFile ?? 'not in this data directory (written where the first node on this store started)'}`,
    `  trust this CA:                 ${info.caCertPath}`,
    '',
    'Connect with the official SDK (see README "Connect with the Azure SDK"):',
    `  NODE_EXTRA_CA_CERTS=${info.caCertPath} node your-app.js`,
    `  new ClientSecretCredential(tenantId, clientId, clientSecret, { authorityHost: "${info.authorityHost}", disableInstanceDiscovery: true })`,
    `  new SecretClient("${info.vaultUrl}", credential, { disableChallengeResourceVerification: true })`,
    '',
    '',
  ].join('\n');
}
