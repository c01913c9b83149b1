// What every benchmark shares: the broker `npm run bench` provides, and where figures go.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** KAFKA_BROKERS as a list; a clear error when a bench is run without `npm run bench`. */
export function benchBrokers() {
  const list = (process.env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (list.length === 0) {
    throw new Error('KAFKA_BROKERS is not set: run `npm run bench`, which provides a broker.');
  }
  return list;
}

/** Writes a bench's figures to bench/results/<name>.json (not committed); returns the path. */
export function writeBenchResult(name, result) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** User + system CPU seconds in a /proc/<pid>/stat line (stat(5): utime, stime in ticks). */
function statCpuSeconds(stat) {
  // The command name may hold spaces and parentheses: fields are counted after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** User + system CPU seconds a child process has used so far (Linux /proc), or undefined. */
export function processCpuSeconds(pid) {
  try {
    return statCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** A child process's memory in MB: resident now and at its peak (Linux /proc), or undefined. */
export function processMemoryMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
  } catch {
    return { rss: undefined, peak: undefined };
  }
}

/**
 * CPU seconds used so far by every process whose command name matches (e.g. postgres, java),
 * keyed by pid: take it before and after a run and pass both to {@link cpuSecondsBetween}.
 * Every such process on the machine counts: run benches on an otherwise idle machine.
 */
export function cpuOfCommands(pattern) {
  const byPid = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (pattern.test(name)) byPid.set(entry, statCpuSeconds(stat));
    } catch {
      // exited while we looked
    }
  }
  return byPid;
}

/** CPU seconds used between two {@link cpuOfCommands} samples (processes started since count whole). */
export function cpuSecondsBetween(before, after) {
  let total = 0;
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? 0);
  return Number(total.toFixed(2));
}
