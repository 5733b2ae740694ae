// Appends audit records as JSON lines to one file per UTC day, fsynced before a batch counts as written.
// Files are private to the server's user (directory 0700, files 0600); it never rewrites or truncates a file.
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../clock.js';
import { auditEventJson, type AuditEvent } from '../audit-event.js';
import type { AuditSink } from '../audit-log.js';

export function createJsonlFileSink(opts: { dir: string; clock: Clock }): AuditSink {
  const { dir, clock } = opts;
  // Only today's file stays open; a late record from an earlier day opens that day's file just for its batch,
  // so requests straddling midnight do not make the kept handle flip between two days.
  let today: { day: string; file: FileHandle } | undefined;
  let isClosed = false;

  async function openDay(day: string): Promise<FileHandle> {
    // Rare (once a day), so checking the directory each time costs nothing and recovers if it was removed.
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = await open(join(dir, `audit-${day}.jsonl`), 'a', 0o600);
    try {
      await syncDirectory();
    } catch (error) {
      await file.close();
      throw error;
    }
    return file;
  }

  // A new file's directory entry is durable only once the directory itself is fsynced (POSIX; Windows cannot open a directory).
  async function syncDirectory(): Promise<void> {
    if (process.platform === 'win32') return;
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async function append(file: FileHandle, events: AuditEvent[]): Promise<void> {
    // One write per batch; the file is open in append mode, so it lands at the end whatever the position says.
    await file.write(events.map((event) => `${auditEventJson(event)}\n`).join(''));
    await file.sync();
  }

  async function writeDay(day: string, events: AuditEvent[]): Promise<void> {
    if (today?.day === day) return append(today.file, events);
    if (day === utcDay(clock.nowMs())) {
      const file = await openDay(day);
      const previous = today?.file;
      today = { day, file };
      await previous?.close();
      return append(file, events);
    }
    const file = await openDay(day);
    try {
      await append(file, events);
    } finally {
      await file.close();
    }
  }

  return {
    name: 'jsonl-file',
    async writeBatch(events) {
      if (isClosed) throw new Error('The JSON-lines audit sink is closed.');
      for (const [day, dayEvents] of groupByDay(events)) await writeDay(day, dayEvents);
    },
    async close() {
      isClosed = true;
      const file = today?.file;
      today = undefined;
      await file?.close();
    },
  };
}

/** Events grouped by the UTC day of their `time`, days in order of first appearance, events in their original order. */
function groupByDay(events: AuditEvent[]): Map<string, AuditEvent[]> {
  const byDay = new Map<string, AuditEvent[]>();
  for (const event of events) {
    const day = utcDay(Date.parse(event.time));
    const list = byDay.get(day);
    if (list) list.push(event);
    else byDay.set(day, [event]);
  }
  return byDay;
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
