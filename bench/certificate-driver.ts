// The load of the certificate scenario, in the benchmark's own process instead of wrk: each request needs a fresh
// certificate name (a second create on a name whose operation is inProgress answers 409) and the operation has to be
// polled until it completes. `clients` closed-loop clients each repeat: POST /certificates/{fresh name}/create (202
// inProgress), then GET /certificates/{name}/pending every `pollMs` until `completed`; a certificate counts when its
// completion is seen, and its latency is create sent → completed seen (so it is at most `pollMs` late).
//
// The load runs continuously from the warm-up into the measured run (run() returns at the end of its window and
// leaves the clients going), so the measured window starts and ends with every client busy, as in a steady state;
// settle() then stops new creates and waits for the certificates in flight, outside the measured window.
import https from 'node:https';
import { request, type Response } from './servers.js';
import type { WrkResult } from './wrk.js';

/** What a certificate run reports beyond a WrkResult (whose `requests` are completed certificates). */
export interface CertificateRunStats {
  /** Creates sent during the window (certificates started). */
  created: number;
  /** GET …/pending requests sent during the window. */
  polls: number;
  /** Polls per completed certificate in the window. */
  pollsPerCertificate: number;
  /** Time from sending the create to its 202 (Coffer generates the key before answering), µs. */
  createP50Us: number;
  createP99Us: number;
}

export type CertificateRun = WrkResult & { certificates: CertificateRunStats };

export interface CertificateDriver {
  clients: number;
  pollMs: number;
  /** Keeps (or starts) the load for `seconds` and reports what completed in that window; the load goes on. */
  run(seconds: number): Promise<CertificateRun>;
  /** Stops starting certificates and waits until the ones in flight are completed (or have failed). */
  settle(): Promise<void>;
  close(): void;
}

type Event =
  | { kind: 'create'; at: number }
  | { kind: 'poll'; at: number }
  | { kind: 'done'; at: number; latencyUs: number; createUs: number }
  | { kind: 'error'; at: number; status: number };

/** A certificate whose operation has not completed after this long counts as an error. */
const GIVE_UP_MS = 120_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function certificateDriver(opts: { port: number; ca: string; token: string; clients: number; pollMs: number; body: string; api: string }): CertificateDriver {
  const agent = new https.Agent({ keepAlive: true, maxSockets: opts.clients });
  const prefix = `cert-${Date.now().toString(36)}`;
  let sequence = 0;
  let events: Event[] = [];
  let stopping = false;
  let running: Promise<void>[] = [];
  let reported = 0;

  const call = (method: string, pathname: string, body?: string): Promise<Response> =>
    request(opts.port, method, pathname, { ca: opts.ca, agent, token: opts.token, ...(body === undefined ? {} : { body }) });

  const fail = (status: number, what: string) => {
    events.push({ kind: 'error', at: performance.now(), status });
    if (reported++ < 3) process.stderr.write(`  certificate driver: ${what}\n`);
  };

  /** One certificate, create → completed; never throws. */
  async function certificate(): Promise<void> {
    const name = `${prefix}-${++sequence}`;
    const started = performance.now();
    events.push({ kind: 'create', at: started });
    let res: Response;
    try {
      res = await call('POST', `/certificates/${name}/create?${opts.api}`, opts.body);
    } catch (error) {
      fail(0, `create ${name}: ${(error as Error).message}`);
      await sleep(opts.pollMs);
      return;
    }
    const createUs = (performance.now() - started) * 1000;
    if (res.status !== 202) {
      fail(res.status, `create ${name} answered ${res.status}: ${res.body.slice(0, 300)}`);
      await sleep(opts.pollMs);
      return;
    }
    for (;;) {
      await sleep(opts.pollMs);
      events.push({ kind: 'poll', at: performance.now() });
      let status: string | undefined;
      try {
        const poll = await call('GET', `/certificates/${name}/pending?${opts.api}`);
        if (poll.status !== 200) return fail(poll.status, `GET ${name}/pending answered ${poll.status}: ${poll.body.slice(0, 300)}`);
        status = (JSON.parse(poll.body) as { status?: string }).status;
      } catch (error) {
        return fail(0, `GET ${name}/pending: ${(error as Error).message}`);
      }
      const now = performance.now();
      if (status === 'completed') {
        events.push({ kind: 'done', at: now, latencyUs: (now - started) * 1000, createUs });
        return;
      }
      if (status !== 'inProgress') return fail(0, `certificate ${name} ended ${String(status)}`);
      if (now - started > GIVE_UP_MS) return fail(0, `certificate ${name} still inProgress after ${GIVE_UP_MS / 1000} s`);
    }
  }

  function start(): void {
    if (running.length > 0) return;
    stopping = false;
    running = Array.from({ length: opts.clients }, async () => {
      while (!stopping) await certificate();
    });
  }

  return {
    clients: opts.clients,
    pollMs: opts.pollMs,
    async run(seconds) {
      start();
      const cpuBefore = process.cpuUsage();
      const from = performance.now();
      await sleep(seconds * 1000);
      const to = performance.now();
      const cpu = process.cpuUsage(cpuBefore);
      const inWindow = events.filter((event) => event.at >= from && event.at <= to);
      events = events.filter((event) => event.at > to);
      const done = inWindow.filter((event): event is Extract<Event, { kind: 'done' }> => event.kind === 'done');
      const errors = inWindow.filter((event): event is Extract<Event, { kind: 'error' }> => event.kind === 'error');
      const polls = inWindow.filter((event) => event.kind === 'poll').length;
      const latency = percentiles(done.map((event) => event.latencyUs));
      const create = percentiles(done.map((event) => event.createUs));
      const durationUs = (to - from) * 1000;
      return {
        requests: done.length,
        durationUs,
        reqPerSec: done.length / (durationUs / 1e6),
        p50Us: latency(50),
        p90Us: latency(90),
        p99Us: latency(99),
        maxUs: latency(100),
        errors: errors.length,
        non2xx: errors.filter((event) => event.status >= 300).length,
        wrkCpuUs: cpu.user + cpu.system,
        certificates: {
          created: inWindow.filter((event) => event.kind === 'create').length,
          polls,
          pollsPerCertificate: polls / Math.max(1, done.length),
          createP50Us: create(50),
          createP99Us: create(99),
        },
      };
    },
    async settle() {
      stopping = true;
      await Promise.all(running);
      running = [];
      events = [];
    },
    close() {
      agent.destroy();
    },
  };
}

/** Nearest-rank percentiles (p = 100: the maximum); NaN without samples. */
function percentiles(values: number[]): (p: number) => number {
  const sorted = [...values].sort((a, b) => a - b);
  return (p) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!);
}
