// Entry point: `coffer [serve] [options]`, `coffer vault …`, `coffer principal …`, `coffer identity …`. Startup problems print a
// plain message and exit 1 — never a stack trace for a configuration mistake.
import { Command } from 'commander';
import { addAccessCommands } from './cli/access-commands.js';
import { addAdminCommands } from './cli/admin.js';
import { addPrincipalCommands } from './cli/principal-commands.js';
import { addServeCommand } from './cli/serve.js';
import { addStoreCommands } from './cli/store-commands.js';
import { CofferError, StartupError } from './errors.js';

// Everything Coffer writes (database, keys, audit logs) is for its own user only.
process.umask(0o077);

const program = new Command('coffer').description('A self-hosted key vault that speaks the Azure Key Vault REST API.');
addServeCommand(program);
addAdminCommands(program);
addPrincipalCommands(program);
addAccessCommands(program);
addStoreCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof StartupError || error instanceof CofferError) {
    process.stderr.write(`coffer: ${error.message}\n`);
  } else {
    process.stderr.write(`coffer: failed: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exit(1);
});
