// The baseline: a minimal node:https server (same certificate, same number of cluster workers as Coffer)
// answering every request with a fixed JSON body of a given size. What Coffer costs beyond it is Coffer.
// Usage: node --import tsx bench/baseline-server.ts --port P --workers N --body-bytes B --cert FILE --key FILE
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    workers: { type: 'string', default: '1' },
    'body-bytes': { type: 'string', default: '300' },
    cert: { type: 'string' },
    key: { type: 'string' },
  },
});
const workers = Number(values.workers);

if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} else {
  const body = fixedBody(Number(values['body-bytes']));
  const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) };
  const server = https.createServer({ cert: readFileSync(values.cert!), key: readFileSync(values.key!), keepAliveTimeout: 60_000 }, (_req, res) => {
    res.writeHead(200, headers);
    res.end(body);
  });
  server.listen(Number(values.port), '127.0.0.1');
  process.once('SIGTERM', () => process.exit(0));
}

/** {"value":"xxx…"} padded to exactly `bytes` bytes (at least the 12 bytes of the empty object). */
function fixedBody(bytes: number): Buffer {
  const empty = '{"value":""}';
  return Buffer.from(`{"value":"${'x'.repeat(Math.max(0, bytes - empty.length))}"}`);
}
