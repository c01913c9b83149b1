import type { EpssScore } from './epss';
import type { KevEntry } from './kev';
import type { IntelSnapshot } from './snapshot';

export interface EpssChange {
  readonly cve: string;
  /** Absent when the CVE had no score before. */
  readonly before?: EpssScore;
  /** Absent when the CVE has no score any more. */
  readonly after?: EpssScore;
  /** Change in probability, a missing score counting as 0. */
  readonly delta: number;
  /** The configured probability boundaries the change crossed, ascending. */
  readonly crossed: readonly number[];
}

export interface IntelDiff {
  readonly from: string;
  readonly to: string;
  readonly enteredKev: readonly KevEntry[];
  readonly leftKev: readonly KevEntry[];
  readonly epssChanges: readonly EpssChange[];
  /** Every CVE above, once, sorted: the open findings to classify again. */
  readonly affectedCves: readonly string[];
}

export interface DiffIntelOptions {
  /** Report an EPSS change when the probability moved at least this much (absolute). */
  readonly epssDelta: number;
  /**
   * Report any change that crosses one of these probabilities, however small: the scoring
   * engine passes the EPSS band edges its policy uses, so a tier cannot change unnoticed.
   */
  readonly epssBoundaries?: readonly number[];
}

export const DEFAULT_DIFF_OPTIONS: DiffIntelOptions = { epssDelta: 0.1, epssBoundaries: [] };

// Probabilities are decimals read from text; 0.3 - 0.2 must count as a move of 0.1.
const TOLERANCE = 1e-9;

const byCve = (a: { cve: string }, b: { cve: string }): number => compareCve(a.cve, b.cve);
const byEntryCve = (a: KevEntry, b: KevEntry): number => compareCve(a.cveId, b.cveId);

/** CVE-2021-9999 before CVE-2021-10000: by year, then by number. */
function compareCve(a: string, b: string): number {
  const [, yearA = '', numberA = ''] = a.split('-');
  const [, yearB = '', numberB = ''] = b.split('-');
  return Number(yearA) - Number(yearB) || Number(numberA) - Number(numberB) || a.localeCompare(b);
}

/**
 * What changed between two intel snapshots, for re-classifying open findings: CVEs that entered
 * or left the KEV catalog, and EPSS probabilities that moved by `epssDelta` or crossed a boundary.
 */
export function diffIntel(
  previous: IntelSnapshot,
  next: IntelSnapshot,
  options: DiffIntelOptions = DEFAULT_DIFF_OPTIONS,
): IntelDiff {
  const enteredKev = [...next.kev.entries()].filter((entry) => !previous.kev.has(entry.cveId));
  const leftKev = [...previous.kev.entries()].filter((entry) => !next.kev.has(entry.cveId));

  const boundaries = [...(options.epssBoundaries ?? [])].sort((a, b) => a - b);
  const cves = new Set<string>();
  for (const [cve] of previous.epss.entries()) cves.add(cve);
  for (const [cve] of next.epss.entries()) cves.add(cve);

  const epssChanges: EpssChange[] = [];
  for (const cve of cves) {
    const before = previous.epss.get(cve);
    const after = next.epss.get(cve);
    const from = before?.probability ?? 0;
    const to = after?.probability ?? 0;
    const delta = to - from;
    const crossed = boundaries.filter((boundary) => from < boundary !== to < boundary);
    if (Math.abs(delta) + TOLERANCE >= options.epssDelta || crossed.length > 0) {
      epssChanges.push({
        cve,
        ...(before === undefined ? {} : { before }),
        ...(after === undefined ? {} : { after }),
        delta,
        crossed,
      });
    }
  }

  const affected = new Set<string>([
    ...enteredKev.map((entry) => entry.cveId),
    ...leftKev.map((entry) => entry.cveId),
    ...epssChanges.map((change) => change.cve),
  ]);
  return {
    from: previous.asOf,
    to: next.asOf,
    enteredKev: enteredKev.sort(byEntryCve),
    leftKev: leftKev.sort(byEntryCve),
    epssChanges: epssChanges.sort(byCve),
    affectedCves: [...affected].sort(compareCve),
  };
}
