// `npm test` (after tsc --noEmit): every *.test.ts under src/ (unit tests beside their modules) and test/ (conformance), run by
// node:test under tsx. Node 20's --test does not expand globs, so the files are listed here. Two passes make the
// whole suite (.ci/run): on SQLite, and with COFFER_TEST_POSTGRES=postgres://… the suites that touch a store again on
// PostgreSQL, with the suites about PostgreSQL itself. Files given on the command line run as they are.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

function testFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

// Conformance tests run the server as users do, from the esbuild output; build it from the current sources.
const build = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

/** Whether a suite runs against a store: a test store (src/store/test-store.ts) or a real server (start-server.ts). */
function touchesStore(file: string): boolean {
  const source = readFileSync(path.join(root, file), 'utf8');
  return ['openTestStore', 'createTestDatabase', 'start-server'].some((marker) => source.includes(marker));
}

const only = process.argv.slice(2);
let files = only.length > 0 ? only : [...testFiles('src'), ...testFiles('test')];
// On PostgreSQL (COFFER_TEST_POSTGRES) only the suites that touch a store run: the others ran on SQLite already and
// do not depend on the backend.
if (process.env.COFFER_TEST_POSTGRES && only.length === 0) {
  const all = files;
  files = all.filter(touchesStore);
  console.log(`PostgreSQL: ${files.length} suites touch a store and run on it; the other ${all.length - files.length} are backend-independent and are not run again.`);
} else if (only.length === 0) {
  // Suites about PostgreSQL itself (test-store.ts onPostgresOnly) wait for the PostgreSQL pass instead of showing as skipped.
  const all = files;
  files = all.filter((file) => !readFileSync(path.join(root, file), 'utf8').includes('onPostgresOnly'));
  console.log(`SQLite: ${files.length} suites; ${all.length - files.length} about PostgreSQL itself run when COFFER_TEST_POSTGRES is set.`);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
