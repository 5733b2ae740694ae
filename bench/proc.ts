// Reads CPU time and memory of a process tree from /proc (Linux only): the server's primary and its workers.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Fields of /proc/PID/stat after the "(comm)" field, which may itself contain spaces and parentheses. */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // the process is gone
  }
}

/** The process and every descendant, found by scanning /proc for parent pids. */
export function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (!fields) continue;
    const ppid = Number(fields[1]); // state is fields[0], ppid fields[1]
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const tree: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** User + system CPU of one process (all its threads), in microseconds. */
export function cpuMicros(pid: number): number {
  const fields = statFields(pid);
  if (!fields) return 0;
  // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after "(comm)".
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks;
}

/** Children's CPU that a process has waited for (cutime + cstime), in microseconds. */
export function waitedChildrenCpuMicros(fields: string[]): number {
  return ((Number(fields[13]) + Number(fields[14])) * 1e6) / clockTicks;
}

/** Parses the text of a /proc/PID/stat line (used for wrk's CPU, read by its wrapper shell). */
export function parseStat(text: string): string[] {
  return text.slice(text.lastIndexOf(')') + 2).trim().split(' ');
}

export function treeCpuMicros(rootPid: number): number {
  return processTree(rootPid).reduce((sum, pid) => sum + cpuMicros(pid), 0);
}

/** Resident memory of the whole tree, in KiB (sum of VmRSS). */
export function treeRssKiB(rootPid: number): number {
  let total = 0;
  for (const pid of processTree(rootPid)) {
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      total += match ? Number(match[1]) : 0;
    } catch {
      // exited between the scan and the read
    }
  }
  return total;
}

/** CPU time the whole machine spent busy (all CPUs, everything but idle and iowait), in microseconds. */
export function machineBusyMicros(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  return ((total - (fields[3] ?? 0) - (fields[4] ?? 0)) * 1e6) / clockTicks;
}

/** Whole-machine CPU counters, to report how busy the box was (other sessions share it). */
export function machineFacts(): { cpuModel: string; loadAverage: string } {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const loadAverage = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  return { cpuModel, loadAverage };
}
