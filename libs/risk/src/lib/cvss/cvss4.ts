import { CvssParseError } from './errors';
import { mandatory, optional, parseMetrics } from './metric-table';
import { CVSS4_MACROVECTOR_SCORES } from './cvss4-macrovector-scores';
import { CVSS4_MAX_COMPOSED, CVSS4_MAX_SEVERITY } from './cvss4-max-vectors';
import { roundHalfUpToTenth } from './rounding';
import { qualitativeSeverity } from './severity';
import type { Cvss4Nomenclature, Cvss4Result } from './types';

/** CVSS v4.0 specification §7 (vector string); values as the reference calculator lists them. */
const CVSS4_METRICS = {
  AV: mandatory(['N', 'A', 'L', 'P']),
  AC: mandatory(['L', 'H']),
  AT: mandatory(['N', 'P']),
  PR: mandatory(['N', 'L', 'H']),
  UI: mandatory(['N', 'P', 'A']),
  VC: mandatory(['H', 'L', 'N']),
  VI: mandatory(['H', 'L', 'N']),
  VA: mandatory(['H', 'L', 'N']),
  SC: mandatory(['H', 'L', 'N']),
  SI: mandatory(['H', 'L', 'N']),
  SA: mandatory(['H', 'L', 'N']),
  E: optional(['X', 'A', 'P', 'U']),
  CR: optional(['X', 'H', 'M', 'L']),
  IR: optional(['X', 'H', 'M', 'L']),
  AR: optional(['X', 'H', 'M', 'L']),
  MAV: optional(['X', 'N', 'A', 'L', 'P']),
  MAC: optional(['X', 'L', 'H']),
  MAT: optional(['X', 'N', 'P']),
  MPR: optional(['X', 'N', 'L', 'H']),
  MUI: optional(['X', 'N', 'P', 'A']),
  MVC: optional(['X', 'H', 'L', 'N']),
  MVI: optional(['X', 'H', 'L', 'N']),
  MVA: optional(['X', 'H', 'L', 'N']),
  MSC: optional(['X', 'H', 'L', 'N']),
  MSI: optional(['X', 'S', 'H', 'L', 'N']),
  MSA: optional(['X', 'S', 'H', 'L', 'N']),
  S: optional(['X', 'N', 'P']),
  AU: optional(['X', 'N', 'Y']),
  R: optional(['X', 'A', 'U', 'I']),
  V: optional(['X', 'D', 'C']),
  RE: optional(['X', 'L', 'M', 'H']),
  U: optional(['X', 'Clear', 'Green', 'Amber', 'Red']),
} as const;

type Metrics = Readonly<Record<string, string>>;

const BASE_METRICS = ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'] as const;
const ENVIRONMENTAL_METRICS = [
  'CR',
  'IR',
  'AR',
  'MAV',
  'MAC',
  'MAT',
  'MPR',
  'MUI',
  'MVC',
  'MVI',
  'MVA',
  'MSC',
  'MSI',
  'MSA',
] as const;
const IMPACT_METRICS = ['VC', 'VI', 'VA', 'SC', 'SI', 'SA'] as const;

/** Unset ("X") exploit maturity and security requirements count as their worst case. */
const WORST_CASE_WHEN_UNSET: Readonly<Record<string, string>> = {
  E: 'A',
  CR: 'H',
  IR: 'H',
  AR: 'H',
};

/** Severity level of each value in steps of 0.1 from the most severe; reference `*_levels`. */
const SEVERITY_LEVELS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  AV: { N: 0.0, A: 0.1, L: 0.2, P: 0.3 },
  PR: { N: 0.0, L: 0.1, H: 0.2 },
  UI: { N: 0.0, P: 0.1, A: 0.2 },
  AC: { L: 0.0, H: 0.1 },
  AT: { N: 0.0, P: 0.1 },
  VC: { H: 0.0, L: 0.1, N: 0.2 },
  VI: { H: 0.0, L: 0.1, N: 0.2 },
  VA: { H: 0.0, L: 0.1, N: 0.2 },
  SC: { H: 0.1, L: 0.2, N: 0.3 },
  SI: { S: 0.0, H: 0.1, L: 0.2, N: 0.3 },
  SA: { S: 0.0, H: 0.1, L: 0.2, N: 0.3 },
  CR: { H: 0.0, M: 0.1, L: 0.2 },
  IR: { H: 0.0, M: 0.1, L: 0.2 },
  AR: { H: 0.0, M: 0.1, L: 0.2 },
};
const DISTANCE_METRICS = Object.keys(SEVERITY_LEVELS);

const STEP = 0.1;
const ROUNDING_EPSILON = 1e-6;

/** The value that counts for scoring: a modified (environmental) value overrides the base one. */
function effectiveValue(metrics: Metrics, metric: string): string {
  const selected = metrics[metric] ?? 'X';
  const worstCase = WORST_CASE_WHEN_UNSET[metric];
  if (selected === 'X' && worstCase !== undefined) return worstCase;
  const modified = metrics[`M${metric}`];
  if (modified !== undefined && modified !== 'X') return modified;
  return selected;
}

type Levels = readonly [number, number, number, number, number, number];

/** The six equivalence classes (EQ1..EQ6) that together name the vector's MacroVector. */
function macroVector(value: (metric: string) => string): Levels {
  const [av, pr, ui] = [value('AV'), value('PR'), value('UI')];
  const eq1 =
    av === 'N' && pr === 'N' && ui === 'N'
      ? 0
      : (av === 'N' || pr === 'N' || ui === 'N') && av !== 'P'
        ? 1
        : 2;
  const eq2 = value('AC') === 'L' && value('AT') === 'N' ? 0 : 1;
  const [vc, vi, va] = [value('VC'), value('VI'), value('VA')];
  const eq3 = vc === 'H' && vi === 'H' ? 0 : vc === 'H' || vi === 'H' || va === 'H' ? 1 : 2;
  const eq4 =
    value('MSI') === 'S' || value('MSA') === 'S'
      ? 0
      : value('SC') === 'H' || value('SI') === 'H' || value('SA') === 'H'
        ? 1
        : 2;
  const e = value('E');
  const eq5 = e === 'A' ? 0 : e === 'P' ? 1 : 2;
  const eq6 =
    (value('CR') === 'H' && vc === 'H') ||
    (value('IR') === 'H' && vi === 'H') ||
    (value('AR') === 'H' && va === 'H')
      ? 0
      : 1;
  return [eq1, eq2, eq3, eq4, eq5, eq6];
}

/** The MacroVector's score, or NaN where no such MacroVector exists (as the reference has it). */
function macroScore(levels: readonly number[]): number {
  return CVSS4_MACROVECTOR_SCORES[levels.join('')] ?? NaN;
}

function parsePartialVector(partial: string): Metrics {
  return Object.fromEntries(
    partial
      .split('/')
      .filter((component) => component !== '')
      .map((component) => component.split(':') as [string, string]),
  );
}

/** The metrics the algorithm reads, resolved once per vector. */
const SCORED_METRICS = [...DISTANCE_METRICS, 'E', 'MSI', 'MSA'];

function levelsOf(values: Metrics): number[] {
  return DISTANCE_METRICS.map((metric) => SEVERITY_LEVELS[metric]![values[metric] ?? ''] ?? NaN);
}

/** Severity levels of the highest-severity vectors of each MacroVector, in reference order. */
const maxVectorsCache = new Map<string, number[][]>();
function maxVectorLevels(levels: Levels): number[][] {
  const key = levels.join('');
  const cached = maxVectorsCache.get(key);
  if (cached !== undefined) return cached;
  const [eq1, eq2, eq3, eq4, eq5, eq6] = levels;
  const vectors: number[][] = [];
  for (const a of CVSS4_MAX_COMPOSED.eq1[eq1] ?? []) {
    for (const b of CVSS4_MAX_COMPOSED.eq2[eq2] ?? []) {
      for (const c of CVSS4_MAX_COMPOSED.eq3eq6[eq3]?.[eq6] ?? []) {
        for (const d of CVSS4_MAX_COMPOSED.eq4[eq4] ?? []) {
          for (const e of CVSS4_MAX_COMPOSED.eq5[eq5] ?? []) {
            vectors.push(levelsOf(parsePartialVector(a + b + c + d + e)));
          }
        }
      }
    }
  }
  maxVectorsCache.set(key, vectors);
  return vectors;
}

/**
 * The CVSS v4.0 score of a parsed vector, by the algorithm of the v4.0 specification (§8): the
 * MacroVector's score minus the mean, over the equivalence classes, of the vector's proportional
 * distance to the next lower MacroVector. A faithful port of the reference `cvss_score.js`,
 * including its floating-point operation order, so that scores match it to the tenth.
 */
export function cvss4Score(metrics: Metrics): number {
  const effective: Metrics = Object.fromEntries(
    SCORED_METRICS.map((metric) => [metric, effectiveValue(metrics, metric)]),
  );
  const value = (metric: string): string => effective[metric] ?? 'X';
  if (IMPACT_METRICS.every((metric) => value(metric) === 'N')) return 0;

  const levels = macroVector(value);
  const [eq1, eq2, eq3, eq4, , eq6] = levels;
  const score = macroScore(levels);

  const lower = (index: number): number[] =>
    levels.map((level, i) => (i === index ? level + 1 : level));
  const nextLowerEq1 = macroScore(lower(0));
  const nextLowerEq2 = macroScore(lower(1));
  let nextLowerEq3Eq6: number;
  if (eq3 === 0 && eq6 === 0) {
    // Two paths lead down from 00: take the higher-scoring one.
    nextLowerEq3Eq6 = Math.max(macroScore(lower(5)), macroScore(lower(2)));
  } else if (eq3 === 1 && eq6 === 0) {
    nextLowerEq3Eq6 = macroScore(lower(5));
  } else if (eq3 === 2) {
    nextLowerEq3Eq6 = macroScore(
      levels.map((level, i) => (i === 2 || i === 5 ? level + 1 : level)),
    );
  } else {
    nextLowerEq3Eq6 = macroScore(lower(2));
  }
  const nextLowerEq4 = macroScore(lower(3));
  const nextLowerEq5 = macroScore(lower(4));

  // The first highest-severity vector of the MacroVector that the scored vector does not exceed
  // anywhere; like the reference, fall back to the last one tried.
  const own = levelsOf(effective);
  let distanceList: number[] = [];
  for (const max of maxVectorLevels(levels)) {
    distanceList = own.map((level, i) => level - (max[i] ?? NaN));
    if (distanceList.every((distance) => distance >= 0)) break;
  }
  const distances = new Map(DISTANCE_METRICS.map((metric, i) => [metric, distanceList[i] ?? NaN]));
  const d = (metric: string): number => distances.get(metric) ?? NaN;
  const distanceEq1 = d('AV') + d('PR') + d('UI');
  const distanceEq2 = d('AC') + d('AT');
  const distanceEq3Eq6 = d('VC') + d('VI') + d('VA') + d('CR') + d('IR') + d('AR');
  const distanceEq4 = d('SC') + d('SI') + d('SA');

  const depthEq1 = (CVSS4_MAX_SEVERITY.eq1[eq1] ?? NaN) * STEP;
  const depthEq2 = (CVSS4_MAX_SEVERITY.eq2[eq2] ?? NaN) * STEP;
  const depthEq3Eq6 = (CVSS4_MAX_SEVERITY.eq3eq6[eq3]?.[eq6] ?? NaN) * STEP;
  const depthEq4 = (CVSS4_MAX_SEVERITY.eq4[eq4] ?? NaN) * STEP;

  let existingLower = 0;
  const proportional = (available: number, distance: number, depth: number): number => {
    // A missing lower MacroVector makes `available` NaN: that class is left out of the mean.
    if (Number.isNaN(available)) return 0;
    existingLower += 1;
    return available * (distance / depth);
  };
  const normalizedEq1 = proportional(score - nextLowerEq1, distanceEq1, depthEq1);
  const normalizedEq2 = proportional(score - nextLowerEq2, distanceEq2, depthEq2);
  const normalizedEq3Eq6 = proportional(score - nextLowerEq3Eq6, distanceEq3Eq6, depthEq3Eq6);
  const normalizedEq4 = proportional(score - nextLowerEq4, distanceEq4, depthEq4);
  // EQ5 has no depth: it counts in the mean with a proportion of 0.
  const normalizedEq5 = proportional(score - nextLowerEq5, 0, 1);

  const meanDistance =
    existingLower === 0
      ? 0
      : (normalizedEq1 + normalizedEq2 + normalizedEq3Eq6 + normalizedEq4 + normalizedEq5) /
        existingLower;
  return roundHalfUpToTenth(Math.max(0, Math.min(10, score - meanDistance)), ROUNDING_EPSILON);
}

function nomenclatureOf(metrics: Metrics): Cvss4Nomenclature {
  const set = (metric: string): boolean => metrics[metric] !== undefined && metrics[metric] !== 'X';
  const threat = set('E');
  const environmental = ENVIRONMENTAL_METRICS.some(set);
  if (threat && environmental) return 'CVSS-BTE';
  if (threat) return 'CVSS-BT';
  if (environmental) return 'CVSS-BE';
  return 'CVSS-B';
}

const PREFIX = 'CVSS:4.0/';

export function parseCvss4(vector: string): Metrics {
  const trimmed = vector.trim();
  if (trimmed === '') throw new CvssParseError(vector, 'empty', 'CVSS v4.0 vector is empty');
  if (!trimmed.startsWith(PREFIX)) {
    throw new CvssParseError(
      vector,
      'unsupported-version',
      'CVSS v4.0 vector must start with "CVSS:4.0/"',
    );
  }
  return parseMetrics(trimmed, trimmed.slice(PREFIX.length), CVSS4_METRICS, 'CVSS v4.0');
}

export function scoreCvss4(vector: string): Cvss4Result {
  const metrics = parseCvss4(vector);
  const baseOnly = Object.fromEntries(BASE_METRICS.map((metric) => [metric, metrics[metric]!]));
  const baseScore = cvss4Score(baseOnly);
  const nomenclature = nomenclatureOf(metrics);
  // Supplemental metrics and "X" values do not change the score: CVSS-B scores as its base.
  const score = nomenclature === 'CVSS-B' ? baseScore : cvss4Score(metrics);
  return {
    version: '4.0',
    vector: vector.trim(),
    baseScore,
    baseSeverity: qualitativeSeverity(baseScore),
    score,
    severity: qualitativeSeverity(score),
    nomenclature,
    metrics,
  };
}
