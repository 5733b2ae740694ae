// Tracks what the benchmark started (server process groups, wrk, temp dirs) and removes all of it on exit,
// on Ctrl-C and on errors.
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { processTree } from './proc.js';

const groups = new Set<number>(); // process-group leaders started detached (servers and their workers)
const children = new Set<ChildProcess>(); // plain children (wrk, fill scripts)
const dirs = new Set<string>();

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
