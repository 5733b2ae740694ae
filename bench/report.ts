// The benchmark's results: their shape, the target checks of issue 3, and the three renderings written to
// bench/results/ (JSON, a Markdown table, an SVG bar chart drawn by hand).
import type { DbSize } from './db-size.js';
import { fmt, type RunRecord, type Summary } from './measure.js';

export interface ScenarioResult {
  name: string;
  description: string;
  /**
   * What `baseline` is: 'https' — bench/baseline-server.ts under the same wrk load (req/s); 'node:crypto' — the key
   * scenarios' raw operation on `crypto.threads` threads, no HTTP (its "req/s" are operations/s, its CPU µs/req
   * CPU µs per operation, its p50/p99 the time of one operation). Absent in results older than the key scenarios: 'https'.
   */
  baselineKind?: 'https' | 'node:crypto';
  /** Size of Coffer's response body, which the https baseline answers with. */
  bodyBytes: number;
  baseline: Summary;
  coffer: Summary;
  /** Coffer req/s ÷ baseline req/s (medians). */
  ratio: number;
  /** Baseline CPU µs/req ÷ Coffer CPU µs/req: the same ratio per CPU second, robust to CPU taken by other load. */
  cpuRatio: number;
  /** node:crypto baselines: the raw operation, and an optional reference operation measured in the same rounds. */
  crypto?: {
    op: string;
    threads: number;
    description: string;
    reference?: { op: string; description: string; summary: Summary; ratio: number };
  };
  target?: { minRatio: number; maxP99Ms?: number };
  runs: { baseline: RunRecord[]; coffer: RunRecord[]; reference?: RunRecord[] };
}

const isCrypto = (s: ScenarioResult) => s.baselineKind === 'node:crypto';

export interface ScaleResult {
  secrets: number;
  fillSeconds: number;
  db: DbSize;
  coldStartMs: number;
  rssIdleKiB: number;
  /** secret-get on the large vault against the benchmark's small vault, interleaved. */
  get: { small: Summary; large: Summary; ratio: number };
  /** First list page on the small and large vaults, and a page 90% into the large vault. */
  list: { smallStart: Summary; largeStart: Summary; largeDeep: Summary };
}

export interface TargetCheck {
  name: string;
  pass: boolean;
  detail: string;
}

export interface BenchResult {
  date: string;
  machine: { nproc: number; cpuModel: string; node: string; wrk: string; loadAverageAtStart: string; loadAverageAtEnd: string };
  config: {
    workersRequested: number; workers: number; connections: number; durationSeconds: number; warmupSeconds: number; rounds: number; secrets: number; wrkThreads: number; quick: boolean;
    /** Threads of the raw node:crypto baseline, when key scenarios ran. */
    cryptoThreads?: number;
  };
  fill: { secrets: number; seconds: number };
  coldStartMs: number;
  rss: { idleKiB: number; afterLoadKiB: number };
  db: DbSize;
  scenarios: ScenarioResult[];
  scale?: ScaleResult;
  targets: TargetCheck[];
}

export function checkTargets(result: Omit<BenchResult, 'targets'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const scenario of result.scenarios) {
    if (!scenario.target) continue;
    const { minRatio, maxP99Ms } = scenario.target;
    const valid = scenario.coffer.validRuns > 0 && scenario.baseline.validRuns > 0;
    const ratioOk = scenario.ratio >= minRatio;
    const p99Ok = maxP99Ms === undefined || scenario.coffer.p99Ms <= maxP99Ms;
    checks.push({
      name: `${scenario.name} ≥ ${minRatio * 100}% of baseline${maxP99Ms === undefined ? '' : `, p99 ≤ ${maxP99Ms} ms`}`,
      pass: valid && ratioOk && p99Ok,
      detail:
        `${pct(scenario.ratio)} of baseline (${fmt(scenario.coffer.reqPerSec)} vs ${fmt(scenario.baseline.reqPerSec)} req/s)` +
        (maxP99Ms === undefined ? '' : `, p99 ${scenario.coffer.p99Ms.toFixed(2)} ms`) +
        (valid ? '' : ', no valid run (>1% errors)'),
    });
  }
  checks.push({ name: 'cold start < 1.5 s', pass: result.coldStartMs < 1500, detail: `${Math.round(result.coldStartMs)} ms with ${fmt(result.config.secrets)} secrets` });
  const scale = result.scale;
  if (scale) {
    checks.push({
      name: `${fmt(scale.secrets)} secrets: GET within 10% of ${fmt(result.config.secrets)}`,
      pass: scale.get.ratio >= 0.9,
      detail: `${pct(scale.get.ratio)} (${fmt(scale.get.large.reqPerSec)} vs ${fmt(scale.get.small.reqPerSec)} req/s)`,
    });
    const deep = scale.list.largeDeep.reqPerSec / scale.list.largeStart.reqPerSec;
    const sizes = scale.list.largeStart.reqPerSec / scale.list.smallStart.reqPerSec;
    checks.push({
      name: 'list page time independent of vault size and depth (within 10%)',
      pass: deep >= 0.9 && sizes >= 0.9,
      detail: `deep/start ${pct(deep)}, large/small ${pct(sizes)}; p50 ${scale.list.smallStart.p50Ms.toFixed(2)} / ${scale.list.largeStart.p50Ms.toFixed(2)} / ${scale.list.largeDeep.p50Ms.toFixed(2)} ms`,
    });
    checks.push({ name: `cold start < 1.5 s with ${fmt(scale.secrets)} secrets`, pass: scale.coldStartMs < 1500, detail: `${Math.round(scale.coldStartMs)} ms` });
  }
  return checks;
}

const pct = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;

export function toMarkdown(r: BenchResult): string {
  const c = r.config;
  const https = r.scenarios.filter((s) => !isCrypto(s));
  const lines = [
    `# Coffer benchmark — ${r.date}`,
    '',
    `${c.workers} worker${c.workers === 1 ? '' : 's'} (requested ${c.workersRequested}) for Coffer and the baseline · ${c.connections} connections · ` +
      `${c.durationSeconds} s runs after ${c.warmupSeconds} s warm-up · ${c.rounds} interleaved round${c.rounds === 1 ? '' : 's'}, medians · ` +
      `wrk -t${c.wrkThreads} on the same box · ${fmt(c.secrets)} secrets of 40 bytes${c.quick ? ' · **--quick** (smoke run, not for comparison)' : ''}`,
    '',
    ...secretTableMarkdown(https),
    `- Cold start (spawn → /healthz 200) on the filled data dir: **${Math.round(r.coldStartMs)} ms**`,
    `- Server RSS (all processes): ${mib(r.rss.idleKiB)} idle, ${mib(r.rss.afterLoadKiB)} right after load (peak over runs)`,
    `- Database: ${fmt(r.db.fileBytes)} bytes, ${fmt(r.db.fileBytesPerSecret)} bytes per secret` +
      (r.db.secretTablesBytesPerSecret === undefined ? '' : ` (secret tables and indexes: ${fmt(r.db.secretTablesBytesPerSecret)} bytes per secret; the rest is free pages, principals and metadata; audit records live in audit.db)`),
    `- Fill over HTTP: ${fmt(r.fill.secrets)} secrets in ${r.fill.seconds.toFixed(1)} s`,
  ];
  const keys = r.scenarios.filter(isCrypto);
  if (keys.length > 0) lines.push('', ...keyOperationsMarkdown(r, keys));
  if (r.scale) {
    const s = r.scale;
    lines.push(
      '',
      `## Scale: ${fmt(s.secrets)} secrets`,
      '',
      '| measurement | req/s | p50 ms | p99 ms | CPU µs/req |',
      '|---|---:|---:|---:|---:|',
      row(`secret-get, ${fmt(c.secrets)}-secret vault`, s.get.small),
      row(`secret-get, ${fmt(s.secrets)}-secret vault`, s.get.large),
      row(`list first page, ${fmt(c.secrets)}-secret vault`, s.list.smallStart),
      row(`list first page, ${fmt(s.secrets)}-secret vault`, s.list.largeStart),
      row(`list page 90% in ($skiptoken), ${fmt(s.secrets)}-secret vault`, s.list.largeDeep),
      '',
      `- GET ratio large/small: **${pct(s.get.ratio)}**`,
      `- Fill (direct SQLite, real envelope): ${s.fillSeconds.toFixed(1)} s · cold start **${Math.round(s.coldStartMs)} ms** · idle RSS ${mib(s.rssIdleKiB)}`,
      `- Database: ${fmt(s.db.fileBytes)} bytes, **${fmt(s.db.fileBytesPerSecret)} bytes per secret**` +
        (s.db.secretTablesBytesPerSecret === undefined ? '' : ` (secret tables and indexes ${fmt(s.db.secretTablesBytesPerSecret)})`),
    );
  }
  lines.push('', '## Targets (issue 3)', '', ...r.targets.map((t) => `- ${t.pass ? 'PASS' : 'FAIL'} ${t.name}: ${t.detail}`));
  const m = r.machine;
  lines.push(
    '',
    '## Machine',
    '',
    `${m.nproc} CPUs (${m.cpuModel}) · Node ${m.node} · ${m.wrk} · load average ${m.loadAverageAtStart} at start, ${m.loadAverageAtEnd} at end`,
    '',
    'The baseline is `bench/baseline-server.ts`: node:https with the same certificate and worker count, answering a fixed body of the same size as Coffer’s response in that scenario. ' +
      'CPU µs/req is the CPU time (user + system, from /proc) of all server processes during the measured run divided by its requests; ' +
      '“ratio per CPU” compares those (baseline ÷ Coffer), which stays stable when other load on the box steals CPU and req/s swing. ' +
      '“Other load” is CPU used on the box by neither the servers nor wrk during Coffer’s runs (from /proc/stat): above ~0.2 cores the figures are disturbed. ' +
      'Runs with more than 1% errors (including HTTP status ≥ 400) are invalid and left out of the medians.',
    '',
  );
  if (keys.length > 0) {
    lines.push(
      'The key operations’ baseline is `bench/crypto-baseline.ts`: the same operation in raw node:crypto (same key type and size, same input) run back to back on ' +
        `${r.config.cryptoThreads ?? keys[0]!.crypto?.threads ?? '?'} worker threads, one per core, with no HTTP, measured in the same run and interleaved with Coffer’s rounds (raw, Coffer, raw, Coffer…, each after its own warm-up). ` +
        'It is the most this machine can do of that operation: the ratio is the share of it that Coffer delivers over authenticated HTTPS with audit, while wrk shares the box. ' +
        'Its CPU µs/op is the baseline process’s CPU per operation; “ratio per CPU” (raw CPU µs/op ÷ Coffer CPU µs/req) is the share of Coffer’s CPU per request that is the operation itself, ' +
        'and “non-crypto CPU” the rest (HTTP, TLS, JSON, auth, the key’s read and unsealing, audit, the hand-off to a key-operation thread).',
      '',
    );
  }
  return lines.join('\n');
}

/** The node:https-baseline scenarios' table (nothing when a run had none), followed by a blank line. */
function secretTableMarkdown(https: ScenarioResult[]): string[] {
  if (https.length === 0) return [];
  return [
    '| scenario | baseline req/s | Coffer req/s | ratio | Coffer p50 / p99 ms | baseline p50 / p99 ms | Coffer CPU µs/req | baseline CPU µs/req | ratio per CPU | wrk CPU µs/req (Coffer) | other load, cores | body bytes | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...https.map(
      (s) =>
        `| ${s.name} | ${fmt(s.baseline.reqPerSec)} | ${fmt(s.coffer.reqPerSec)} | **${pct(s.ratio)}** | ${s.coffer.p50Ms.toFixed(2)} / ${s.coffer.p99Ms.toFixed(2)} | ` +
        `${s.baseline.p50Ms.toFixed(2)} / ${s.baseline.p99Ms.toFixed(2)} | ${s.coffer.serverCpuUsPerReq.toFixed(0)} | ${s.baseline.serverCpuUsPerReq.toFixed(0)} | ${pct(s.cpuRatio)} | ` +
        `${s.coffer.wrkCpuUsPerReq.toFixed(0)} | ${s.coffer.otherCores.toFixed(2)} | ${s.bodyBytes} | ${s.coffer.errors}${s.coffer.validRuns < s.coffer.runs ? ` (${s.coffer.runs - s.coffer.validRuns} invalid runs)` : ''} |`,
    ),
    '',
  ];
}

/** The key scenarios' table: Coffer against the raw node:crypto rate of the same operation. */
function keyOperationsMarkdown(r: BenchResult, keys: ScenarioResult[]): string[] {
  const threads = r.config.cryptoThreads ?? keys[0]!.crypto?.threads ?? 0;
  const lines = [
    `## Key operations vs raw node:crypto (${threads} thread${threads === 1 ? '' : 's'})`,
    '',
    '| scenario | raw node:crypto ops/s | Coffer req/s | ratio | Coffer p50 / p99 ms | raw op p50 / p99 µs | Coffer CPU µs/req | raw CPU µs/op | ratio per CPU | non-crypto CPU µs/req | wrk CPU µs/req | other load, cores (Coffer / raw) | body bytes | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...keys.map(
      (s) =>
        `| ${s.name} | ${fmt(s.baseline.reqPerSec)} | ${fmt(s.coffer.reqPerSec)} | **${pct(s.ratio)}** | ${s.coffer.p50Ms.toFixed(2)} / ${s.coffer.p99Ms.toFixed(2)} | ` +
        `${us(s.baseline.p50Ms)} / ${us(s.baseline.p99Ms)} | ${s.coffer.serverCpuUsPerReq.toFixed(0)} | ${cpuUs(s.baseline.serverCpuUsPerReq)} | ${pct(s.cpuRatio)} | ` +
        `${nonCryptoCell(s)} | ${s.coffer.wrkCpuUsPerReq.toFixed(0)} | ${s.coffer.otherCores.toFixed(2)} / ${s.baseline.otherCores.toFixed(2)} | ${s.bodyBytes} | ` +
        `${s.coffer.errors}${s.coffer.validRuns < s.coffer.runs ? ` (${s.coffer.runs - s.coffer.validRuns} invalid runs)` : ''} |`,
    ),
    '',
    'Raw operations (bench/crypto-ops.ts):',
    '',
    ...keys.map((s) => `- ${s.name}: ${s.crypto?.description ?? '?'}`),
  ];
  for (const s of keys) {
    const ref = s.crypto?.reference;
    if (!ref) continue;
    lines.push(
      `- ${s.name}, reference measured in the same rounds: ${ref.description}: **${fmt(ref.summary.reqPerSec)} ops/s** (${cpuUs(ref.summary.serverCpuUsPerReq)} CPU µs/op, one op p50 ${us(ref.summary.p50Ms)} µs); ` +
        `Coffer’s ${fmt(s.coffer.reqPerSec)} req/s are **${pct(ref.ratio)}** of it, and its CPU per operation is ${pct(ref.summary.serverCpuUsPerReq / s.coffer.serverCpuUsPerReq)} of Coffer’s per request ` +
        '(† the non-crypto CPU of this row is Coffer’s minus this reference’s)',
    );
  }
  return lines;
}

/**
 * Coffer's CPU per request minus the CPU of the operation it performs: the raw node:crypto one, or the reference
 * operation where one was measured (ES256: Coffer signs with @noble/curves, not node:crypto), marked †.
 */
function nonCryptoCell(s: ScenarioResult): string {
  const reference = s.crypto?.reference;
  const operationUs = reference?.summary.serverCpuUsPerReq ?? s.baseline.serverCpuUsPerReq;
  return `${(s.coffer.serverCpuUsPerReq - operationUs).toFixed(0)}${reference ? ' †' : ''}`;
}

/** A Summary's ms figure of a raw operation, in µs. */
const us = (ms: number) => (ms * 1000 < 100 ? (ms * 1000).toFixed(1) : (ms * 1000).toFixed(0));
const cpuUs = (value: number) => (value < 100 ? value.toFixed(1) : value.toFixed(0));

function row(label: string, s: Summary): string {
  return `| ${label} | ${fmt(s.reqPerSec)} | ${s.p50Ms.toFixed(2)} | ${s.p99Ms.toFixed(2)} | ${s.serverCpuUsPerReq.toFixed(0)} |`;
}

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Horizontal bars. Secret scenarios: req/s and p99 latency, node:https baseline and Coffer. Key scenarios (if any):
 * throughput and CPU per operation against raw node:crypto, on log scales (raw AES runs ~100× Coffer's rate).
 */
export function toSvg(r: BenchResult): string {
  const https = r.scenarios.filter((s) => !isCrypto(s));
  const keys = r.scenarios.filter(isCrypto);
  const labelWidth = Math.max(140, 30 + 7.5 * Math.max(0, ...r.scenarios.map((s) => s.name.length)));
  const barArea = 560;
  const width = Math.round(labelWidth + barArea + (keys.length > 0 ? 290 : 250));
  const barHeight = 18;
  const groupGap = 16;
  const colors = { baseline: '#9aa5b1', coffer: '#2f6fdf', crypto: '#e08a2c' };
  const parts: string[] = [];
  let y = 30;
  const legend = (entries: Array<[string, string]>, top: number) => {
    let x = width - 20 - entries.reduce((sum, [label]) => sum + 30 + 7 * label.length, 0);
    for (const [label, color] of entries) {
      parts.push(`<rect x="${x.toFixed(0)}" y="${top - 11}" width="12" height="12" fill="${color}"/><text x="${(x + 18).toFixed(0)}" y="${top}" font-size="12">${esc(label)}</text>`);
      x += 30 + 7 * label.length;
    }
  };
  const title = keys.length === 0 ? 'Coffer vs node:https baseline' : https.length === 0 ? 'Coffer key operations vs raw node:crypto' : 'Coffer vs node:https and raw node:crypto baselines';
  parts.push(
    `<text x="20" y="${y}" font-size="18" font-weight="bold">${title} — ${esc(r.date.slice(0, 16).replace('T', ' '))} UTC</text>`,
    `<text x="20" y="${y + 20}" font-size="12" fill="#555">${r.config.workers} worker(s), ${r.config.connections} connections, medians of ${r.config.rounds} interleaved round(s) of ${r.config.durationSeconds} s; ${esc(r.machine.cpuModel)}, ${r.machine.nproc} CPUs</text>`,
  );
  y += 50;

  type Series = { label: string; color: string; value: (s: ScenarioResult) => number; unit: (v: number) => string };
  const panel = (title: string, list: ScenarioResult[], series: Series[], note: (s: ScenarioResult) => string, log: boolean) => {
    parts.push(`<text x="20" y="${y}" font-size="15" font-weight="bold">${esc(title)}</text>`);
    legend(series.map((item) => [item.label, item.color]), y);
    y += 12;
    const values = list.flatMap((s) => series.map((item) => item.value(s))).filter((v) => Number.isFinite(v) && v > 0);
    const max = Math.max(1e-9, ...values);
    const lo = log ? Math.min(max, ...values) / 2 : 0; // the shortest bar still shows
    const hi = log ? max * 1.6 : max; // room for the longest bar's label
    const scale = (v: number) => (log ? (Math.log10(v / lo) / Math.log10(hi / lo)) * barArea : (v / hi) * barArea);
    const groupHeight = series.length * (barHeight + 2) - 2;
    if (log) {
      const bottom = y + list.length * (groupHeight + groupGap) - groupGap;
      for (let tick = 10 ** Math.ceil(Math.log10(lo)); tick <= hi; tick *= 10) {
        const x = labelWidth + scale(tick);
        parts.push(
          `<line x1="${x.toFixed(1)}" y1="${y - 2}" x2="${x.toFixed(1)}" y2="${bottom + 2}" stroke="#ddd"/>`,
          `<text x="${x.toFixed(1)}" y="${bottom + 14}" font-size="10" fill="#777" text-anchor="middle">${esc(fmt(tick))}</text>`,
        );
      }
    }
    for (const s of list) {
      parts.push(`<text x="20" y="${y + groupHeight / 2 + 4}" font-size="13">${esc(s.name)}</text>`);
      series.forEach((item, i) => {
        const v = item.value(s);
        const w = Number.isFinite(v) && v > 0 ? Math.max(1, scale(v)) : 0;
        const top = y + i * (barHeight + 2);
        parts.push(
          `<rect x="${labelWidth}" y="${top}" width="${w.toFixed(1)}" height="${barHeight}" fill="${item.color}"/>`,
          `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${top + 13}" font-size="12">${esc(item.unit(v))}</text>`,
        );
      });
      parts.push(`<text x="${labelWidth + barArea + 90}" y="${y + groupHeight / 2 + 4}" font-size="12" fill="#333">${esc(note(s))}</text>`);
      y += groupHeight + groupGap;
    }
    y += log ? 34 : 20;
  };

  if (https.length > 0) {
    const pair = (value: (summary: Summary) => number, unit: (v: number) => string): Series[] => [
      { label: 'baseline', color: colors.baseline, value: (s) => value(s.baseline), unit },
      { label: 'Coffer', color: colors.coffer, value: (s) => value(s.coffer), unit },
    ];
    panel('Throughput (req/s, higher is better)', https, pair((s) => s.reqPerSec, fmt), (s) => `${pct(s.ratio)} of baseline`, false);
    panel('p99 latency (ms, lower is better)', https, pair((s) => s.p99Ms, (v) => `${v.toFixed(2)} ms`), (s) => `Coffer p50 ${s.coffer.p50Ms.toFixed(2)} ms`, false);
  }
  if (keys.length > 0) {
    const threads = r.config.cryptoThreads ?? keys[0]!.crypto?.threads ?? 0;
    const raw = `raw node:crypto (${threads} threads)`;
    panel(
      'Key operations: throughput (log scale, higher is better)',
      keys,
      [
        { label: `${raw}, ops/s`, color: colors.crypto, value: (s) => s.baseline.reqPerSec, unit: fmt },
        { label: 'Coffer, req/s', color: colors.coffer, value: (s) => s.coffer.reqPerSec, unit: fmt },
      ],
      (s) => `${pct(s.ratio)} of raw; p99 ${s.coffer.p99Ms.toFixed(0)} ms`,
      true,
    );
    panel(
      'Key operations: CPU per operation (µs, log scale, lower is better)',
      keys,
      [
        { label: `${raw}, µs/op`, color: colors.crypto, value: (s) => s.baseline.serverCpuUsPerReq, unit: (v) => `${cpuUs(v)} µs` },
        { label: 'Coffer, µs/req', color: colors.coffer, value: (s) => s.coffer.serverCpuUsPerReq, unit: (v) => `${cpuUs(v)} µs` },
      ],
      (s) => {
        // ES256: the operation Coffer performs is the reference (@noble/curves), not node:crypto's.
        const reference = s.crypto?.reference;
        return reference ? `noble op = ${pct(reference.summary.serverCpuUsPerReq / s.coffer.serverCpuUsPerReq)} of CPU` : `operation = ${pct(s.cpuRatio)} of CPU`;
      },
      true,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="Helvetica, Arial, sans-serif">
<rect width="100%" height="100%" fill="white"/>
${parts.join('\n')}
</svg>
`;
}
