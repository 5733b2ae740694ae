// Starting a worker thread from a module that sits beside its caller: dist/NAME.js beside the bundle
// (scripts/build.mjs builds each thread module as its own entry point), or NAME.ts under tsx, whose loader a
// worker thread does not inherit — there a two-line module registers it first.
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `callerUrl` is the caller's `import.meta.url`; the thread module has the same directory. */
export function startModuleThread(callerUrl: string, moduleName: string, options: WorkerOptions = {}): Worker {
  const isSource = callerUrl.endsWith('.ts');
  const thread = new URL(`./${moduleName}${isSource ? '.ts' : '.js'}`, callerUrl);
  if (!isSource) return new Worker(thread, options);
  const bootstrap = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(thread.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), options);
}
