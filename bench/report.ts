// The benchmark's results: their shape, the target checks of issue 3, and the three renderings written to
// bench/results/ (JSON, a Markdown table, an SVG bar chart drawn by hand).
import type { DbSize } from './db-size.js';
import { fmt, type RunRecord, type Summary } from './measure.js';

export interface ScenarioResult {
  name: string;
  description: string;
  /** Size of Coffer's response body, which the baseline answers with. */
  bodyBytes: number;
  baseline: Summary;
  coffer: Summary;
  /** Coffer req/s ÷ baseline req/s (medians). */
  ratio: number;
  /** Baseline CPU µs/req ÷ Coffer CPU µs/req: the same ratio per CPU second, robust to CPU taken by other load. */
  cpuRatio: number;
  target?: { minRatio: number; maxP99Ms?: number };
  runs: { baseline: RunRecord[]; coffer: RunRecord[] };
}

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
  config: { workersRequested: number; workers: number; connections: number; durationSeconds: number; warmupSeconds: number; rounds: number; secrets: number; wrkThreads: number; quick: boolean };
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
  const lines = [
    `# Coffer benchmark — ${r.date}`,
    '',
    `${c.workers} worker${c.workers === 1 ? '' : 's'} (requested ${c.workersRequested}) for Coffer and the baseline · ${c.connections} connections · ` +
      `${c.durationSeconds} s runs after ${c.warmupSeconds} s warm-up · ${c.rounds} interleaved round${c.rounds === 1 ? '' : 's'}, medians · ` +
      `wrk -t${c.wrkThreads} on the same box · ${fmt(c.secrets)} secrets of 40 bytes${c.quick ? ' · **--quick** (smoke run, not for comparison)' : ''}`,
    '',
    '| scenario | baseline req/s | Coffer req/s | ratio | Coffer p50 / p99 ms | baseline p50 / p99 ms | Coffer CPU µs/req | baseline CPU µs/req | ratio per CPU | wrk CPU µs/req (Coffer) | other load, cores | body bytes | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.scenarios.map(
      (s) =>
        `| ${s.name} | ${fmt(s.baseline.reqPerSec)} | ${fmt(s.coffer.reqPerSec)} | **${pct(s.ratio)}** | ${s.coffer.p50Ms.toFixed(2)} / ${s.coffer.p99Ms.toFixed(2)} | ` +
        `${s.baseline.p50Ms.toFixed(2)} / ${s.baseline.p99Ms.toFixed(2)} | ${s.coffer.serverCpuUsPerReq.toFixed(0)} | ${s.baseline.serverCpuUsPerReq.toFixed(0)} | ${pct(s.cpuRatio)} | ` +
        `${s.coffer.wrkCpuUsPerReq.toFixed(0)} | ${s.coffer.otherCores.toFixed(2)} | ${s.bodyBytes} | ${s.coffer.errors}${s.coffer.validRuns < s.coffer.runs ? ` (${s.coffer.runs - s.coffer.validRuns} invalid runs)` : ''} |`,
    ),
    '',
    `- Cold start (spawn → /healthz 200) on the filled data dir: **${Math.round(r.coldStartMs)} ms**`,
    `- Server RSS (all processes): ${mib(r.rss.idleKiB)} idle, ${mib(r.rss.afterLoadKiB)} right after load (peak over runs)`,
    `- Database: ${fmt(r.db.fileBytes)} bytes, ${fmt(r.db.fileBytesPerSecret)} bytes per secret` +
      (r.db.secretTablesBytesPerSecret === undefined ? '' : ` (secret tables and indexes: ${fmt(r.db.secretTablesBytesPerSecret)} bytes per secret; the rest is free pages, principals and metadata; audit records live in audit.db)`),
    `- Fill over HTTP: ${fmt(r.fill.secrets)} secrets in ${r.fill.seconds.toFixed(1)} s`,
  ];
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
  return lines.join('\n');
}

function row(label: string, s: Summary): string {
  return `| ${label} | ${fmt(s.reqPerSec)} | ${s.p50Ms.toFixed(2)} | ${s.p99Ms.toFixed(2)} | ${s.serverCpuUsPerReq.toFixed(0)} |`;
}

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Two panels of horizontal bars: req/s and p99 latency, baseline and Coffer per scenario. */
export function toSvg(r: BenchResult): string {
  const width = 900;
  const labelWidth = 140;
  const barArea = 560;
  const barHeight = 18;
  const groupGap = 16;
  const colors = { baseline: '#9aa5b1', coffer: '#2f6fdf' };
  const parts: string[] = [];
  let y = 30;
  parts.push(
    `<text x="20" y="${y}" font-size="18" font-weight="bold">Coffer vs node:https baseline — ${esc(r.date.slice(0, 16).replace('T', ' '))} UTC</text>`,
    `<text x="20" y="${y + 20}" font-size="12" fill="#555">${r.config.workers} worker(s), ${r.config.connections} connections, medians of ${r.config.rounds} interleaved round(s) of ${r.config.durationSeconds} s; ${esc(r.machine.cpuModel)}, ${r.machine.nproc} CPUs</text>`,
    `<rect x="${width - 230}" y="${y - 14}" width="12" height="12" fill="${colors.baseline}"/><text x="${width - 212}" y="${y - 3}" font-size="12">baseline</text>`,
    `<rect x="${width - 140}" y="${y - 14}" width="12" height="12" fill="${colors.coffer}"/><text x="${width - 122}" y="${y - 3}" font-size="12">Coffer</text>`,
  );
  y += 50;
  const panel = (title: string, value: (s: Summary) => number, unit: (v: number) => string, note: (s: ScenarioResult) => string) => {
    parts.push(`<text x="20" y="${y}" font-size="15" font-weight="bold">${esc(title)}</text>`);
    y += 12;
    const max = Math.max(1e-9, ...r.scenarios.flatMap((s) => [value(s.baseline), value(s.coffer)]).filter(Number.isFinite));
    for (const s of r.scenarios) {
      parts.push(`<text x="20" y="${y + barHeight + 4}" font-size="13">${esc(s.name)}</text>`);
      (['baseline', 'coffer'] as const).forEach((which, i) => {
        const v = value(s[which]);
        const w = Number.isFinite(v) ? Math.max(1, (v / max) * barArea) : 0;
        const top = y + i * (barHeight + 2);
        parts.push(
          `<rect x="${labelWidth}" y="${top}" width="${w.toFixed(1)}" height="${barHeight}" fill="${colors[which]}"/>`,
          `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${top + 13}" font-size="12">${esc(unit(v))}</text>`,
        );
      });
      parts.push(`<text x="${labelWidth + barArea + 90}" y="${y + barHeight + 4}" font-size="12" fill="#333">${esc(note(s))}</text>`);
      y += 2 * barHeight + 2 + groupGap;
    }
    y += 20;
  };
  panel('Throughput (req/s, higher is better)', (s) => s.reqPerSec, (v) => fmt(v), (s) => `${pct(s.ratio)} of baseline`);
  panel('p99 latency (ms, lower is better)', (s) => s.p99Ms, (v) => `${v.toFixed(2)} ms`, (s) => `Coffer p50 ${s.coffer.p50Ms.toFixed(2)} ms`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="Helvetica, Arial, sans-serif">
<rect width="100%" height="100%" fill="white"/>
${parts.join('\n')}
</svg>
`;
}
