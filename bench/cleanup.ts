// Tracks what the benchmark started (server process groups, wrk, temp dirs, PostgreSQL databases) and removes all
// of it on exit, on Ctrl-C and on errors.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { processTree } from './proc.js';

const groups = new Set<number>(); // process-group leaders started detached (servers and their workers)
const children = new Set<ChildProcess>(); // plain children (wrk, fill scripts)
const dirs = new Set<string>();
const databases = new Map<string, { serverUrl: string; name: string }>(); // --store postgres: coffer_bench_… databases

export function trackGroup(pid: number): () => void {
  groups.add(pid);
  return () => groups.delete(pid);
}

export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

export function trackDir(dir: string): () => void {
  dirs.add(dir);
  return () => dirs.delete(dir);
}

/** A database the benchmark creates on a PostgreSQL server: dropped (with force) by cleanupNow. */
export function trackDatabase(serverUrl: string, name: string): void {
  databases.set(`${serverUrl} ${name}`, { serverUrl, name });
}

/**
 * Drops the tracked databases synchronously (cleanupNow also runs from process.on('exit'), where nothing async
 * completes): a short node child process with the project's `pg` client, after the servers have been killed.
 */
function dropDatabases(): void {
  if (databases.size === 0) return;
  const script = `
    import pg from 'pg';
    const list = JSON.parse(process.env.COFFER_BENCH_DROP);
    let failed = false;
    for (const { serverUrl, name } of list) {
      const client = new pg.Client({ connectionString: serverUrl, application_name: 'coffer-bench-cleanup' });
      try {
        await client.connect();
        await client.query('drop database if exists ' + name + ' with (force)');
      } catch (error) {
        failed = true;
        process.stderr.write('bench: could not drop database ' + name + ': ' + error.message + '\\n');
      } finally {
        await client.end().catch(() => {});
      }
    }
    process.exit(failed ? 1 : 0);`;
  const list = [...databases.values()];
  databases.clear();
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: path.resolve(import.meta.dirname, '..'), // resolves pg from the project's node_modules
    env: { ...process.env, COFFER_BENCH_DROP: JSON.stringify(list) },
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 60_000,
  });
  if (result.status !== 0) {
    process.stderr.write(`bench: dropping ${list.map((db) => db.name).join(', ')} may have failed; drop them by hand if they remain\n`);
  }
}

/** Synchronous, so it also runs from process.on('exit'). Safe to call twice. */
export function cleanupNow(): void {
  // A child may be a wrapper shell (wrk's): kill its descendants too, the deepest first.
  for (const child of children) {
    if (child.exitCode === null && child.pid !== undefined) for (const pid of processTree(child.pid).reverse()) tryKill(pid, 'SIGKILL');
  }
  children.clear();
  for (const pid of groups) tryKill(-pid, 'SIGKILL');
  groups.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
  dropDatabases();
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export function installCleanupHandlers(): void {
  process.on('exit', cleanupNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping servers and removing temp dirs\n`);
      cleanupNow();
      process.exit(130);
    });
  }
}
