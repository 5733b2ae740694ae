// `coffer serve`: runs the server in the foreground until SIGTERM or SIGINT, then stops cleanly
// (in-flight requests finish, the audit log is flushed, storage closed).
import type { Command } from 'commander';
import { startApp } from '../app.js';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config/load.js';
import { options, type Config, type OptionSpec } from '../config/schema.js';
import { createLogger } from '../logger.js';

export function addServeCommand(program: Command): void {
  const serve = program.command('serve', { isDefault: true }).description('run the vault server over HTTPS (the default command)');
  for (const spec of Object.values(options) as OptionSpec[]) {
    const placeholder = spec.kind === 'boolean' ? '' : spec.kind === 'list' ? ' <names...>' : ' <value>';
    const shown = spec.defaultValue === undefined || (Array.isArray(spec.defaultValue) && spec.defaultValue.length === 0) ? '' : ` (default: ${String(spec.defaultValue)})`;
    serve.option(`--${spec.flag}${placeholder}`, `${spec.description} [env ${spec.env}]${shown}`);
  }
  serve.option('--config <file>', 'JSON file of options (keys as in the README table); flags and environment override it [env COFFER_CONFIG]');
  serve.addHelpText('after', '\nThe master key comes from <data-dir>/master.key (created on first start) or COFFER_MASTER_KEY (base64 or hex of 32 bytes).');
  serve.action(async (flags: Record<string, unknown>) => {
    const config = loadConfig({ flags: flagsToConfig(flags), env: process.env, configFile: (flags.config as string | undefined) ?? process.env.COFFER_CONFIG });
    const logger = createLogger({ level: config.logLevel });
    const app = await startApp({ config, masterKeyFromEnvironment: process.env.COFFER_MASTER_KEY, logger, clock: systemClock });
    logger.info({ config: { ...config }, masterKey: app.info.masterKey }, 'coffer started');
    process.stdout.write(banner(app.info));

    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting without waiting');
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, 'stopping: finishing in-flight requests');
      await app.close();
      logger.info('stopped');
      process.exit(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
}

function flagsToConfig(flags: Record<string, unknown>): Partial<Record<keyof Config, string | string[] | undefined>> {
  const result: Partial<Record<keyof Config, string | string[] | undefined>> = {};
  for (const [field, spec] of Object.entries(options) as Array<[keyof Config, (typeof options)[keyof Config]]>) {
    const camel = spec.flag.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
    const value = flags[camel];
    if (value !== undefined) result[field] = value as string | string[];
  }
  return result;
}

function banner(info: { vaultUrl: string; authorityHost: string; tenantId: string; caCertPath: string; credentialsFile: string }): string {
  return [
    '',
    `Coffer is serving Azure Key Vault at ${info.vaultUrl}`,
    `  token service (authorityHost): ${info.authorityHost}   tenant: ${info.tenantId}`,
    `  administrator credentials:     ${info.credentialsFile}`,
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
