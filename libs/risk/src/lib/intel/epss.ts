import { IntelParseError } from './errors';
import { isCveId, isIsoDate, normalizeCveId, textOf } from './text-input';

export interface EpssScore {
  /** Probability of exploitation activity in the next 30 days, 0..1. */
  readonly probability: number;
  /** Share of all scored CVEs with an equal or lower probability, 0..1. */
  readonly percentile: number;
}

export interface EpssScores {
  readonly modelVersion: string;
  /** `score_date` exactly as published. */
  readonly scoreDate: string;
  /** The day of `score_date`, YYYY-MM-DD. */
  readonly asOf: string;
  readonly size: number;
  get(cve: string): EpssScore | undefined;
  entries(): IterableIterator<[cve: string, score: EpssScore]>;
}

export function createEpssScores(
  header: { modelVersion: string; scoreDate: string; asOf: string },
  scores: Iterable<[string, EpssScore]>,
): EpssScores {
  const byCve = new Map(scores);
  return {
    ...header,
    size: byCve.size,
    get: (cve) => byCve.get(normalizeCveId(cve)),
    entries: () => byCve.entries(),
  };
}

const HEADER = 'cve,epss,percentile';
const SCORE_DATE = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const NUMBER = /^\d*\.?\d+(?:[eE][-+]?\d+)?$/;

/**
 * Reads FIRST's daily EPSS file (`epss_scores-YYYY-MM-DD.csv`, gzipped or not) unchanged: the
 * `#model_version:...,score_date:...` line, the `cve,epss,percentile` header, one CVE a line.
 * Every problem is an {@link IntelParseError} naming the line and the column.
 */
export function parseEpssCsv(input: string | Uint8Array): EpssScores {
  const lines = textOf(input).split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const fail = (line: number, reason: string, field?: string): never => {
    throw new IntelParseError('epss', reason, { line, field });
  };

  const meta = parseMetaLine(lines[0] ?? '', fail);
  if (lines[1] !== HEADER) {
    fail(2, `expected the column header "${HEADER}", found "${lines[1] ?? ''}"`);
  }

  const scores = new Map<string, EpssScore>();
  const firstSeen = new Map<string, number>();
  for (let index = 2; index < lines.length; index += 1) {
    const lineNumber = index + 1;
    const fields = lines[index]!.split(',');
    if (fields.length !== 3) {
      fail(lineNumber, `has ${fields.length} fields; expected cve,epss,percentile`);
    }
    const [cve, epss, percentile] = fields as [string, string, string];
    if (!isCveId(cve)) fail(lineNumber, `"${cve}" is not a CVE identifier`, 'cve');
    const previous = firstSeen.get(cve);
    if (previous !== undefined)
      fail(lineNumber, `${cve} already scored on line ${previous}`, 'cve');
    firstSeen.set(cve, lineNumber);
    scores.set(cve, {
      probability: unitInterval(epss, lineNumber, 'epss', fail),
      percentile: unitInterval(percentile, lineNumber, 'percentile', fail),
    });
  }
  return createEpssScores(meta, scores);
}

function unitInterval(
  text: string,
  line: number,
  field: string,
  fail: (line: number, reason: string, field?: string) => never,
): number {
  const value = Number(text);
  if (!NUMBER.test(text) || !Number.isFinite(value) || value < 0 || value > 1) {
    fail(line, `"${text}" is not a number between 0 and 1`, field);
  }
  return value;
}

function parseMetaLine(
  line: string,
  fail: (line: number, reason: string, field?: string) => never,
): { modelVersion: string; scoreDate: string; asOf: string } {
  if (!line.startsWith('#')) {
    return fail(1, 'expected the "#model_version:...,score_date:..." line that dates the scores');
  }
  const values = new Map(
    line
      .slice(1)
      .split(',')
      .map((pair): [string, string] => {
        const colon = pair.indexOf(':');
        return colon === -1
          ? [pair.trim(), '']
          : [pair.slice(0, colon).trim(), pair.slice(colon + 1).trim()];
      }),
  );
  const modelVersion = values.get('model_version') ?? '';
  if (modelVersion === '') return fail(1, 'model_version is missing', 'model_version');
  const scoreDate = values.get('score_date') ?? '';
  const day = SCORE_DATE.exec(scoreDate)?.[1];
  if (day === undefined || !isIsoDate(day)) {
    return fail(1, `score_date "${scoreDate}" is not an ISO 8601 date`, 'score_date');
  }
  return { modelVersion, scoreDate, asOf: day };
}
