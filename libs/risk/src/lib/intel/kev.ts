import { IntelParseError } from './errors';
import { isCveId, isIsoDate, normalizeCveId, textOf } from './text-input';

export type RansomwareCampaignUse = 'Known' | 'Unknown';

/** One catalog entry, with the official field names (`cveID` becomes `cveId`). */
export interface KevEntry {
  readonly cveId: string;
  readonly vendorProject: string;
  readonly product: string;
  readonly vulnerabilityName: string;
  /** YYYY-MM-DD the vulnerability entered the catalog. */
  readonly dateAdded: string;
  readonly shortDescription: string;
  readonly requiredAction: string;
  /** YYYY-MM-DD federal agencies must have remediated by (BOD 22-01). */
  readonly dueDate: string;
  readonly knownRansomwareCampaignUse: RansomwareCampaignUse;
  readonly notes: string;
  readonly cwes: readonly string[];
}

export interface KevCatalog {
  readonly catalogVersion: string;
  /** `dateReleased` exactly as published. */
  readonly dateReleased: string;
  /** The UTC day of `dateReleased`, YYYY-MM-DD. */
  readonly asOf: string;
  readonly size: number;
  has(cve: string): boolean;
  get(cve: string): KevEntry | undefined;
  entries(): IterableIterator<KevEntry>;
}

export function createKevCatalog(
  header: { catalogVersion: string; dateReleased: string; asOf: string },
  entries: Iterable<KevEntry>,
): KevCatalog {
  const byCve = new Map<string, KevEntry>();
  for (const entry of entries) byCve.set(entry.cveId, entry);
  return {
    ...header,
    size: byCve.size,
    has: (cve) => byCve.has(normalizeCveId(cve)),
    get: (cve) => byCve.get(normalizeCveId(cve)),
    entries: () => byCve.values(),
  };
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const REQUIRED_TEXT_FIELDS = [
  'vendorProject',
  'product',
  'vulnerabilityName',
  'shortDescription',
  'requiredAction',
] as const;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads CISA's `known_exploited_vulnerabilities.json` in its official schema (catalogVersion,
 * dateReleased, count, vulnerabilities[]), unchanged as CISA publishes it. Every problem is an
 * {@link IntelParseError} naming the field by JSON pointer and, for an entry, its line.
 */
export function parseKevCatalog(input: string | Uint8Array): KevCatalog {
  const text = textOf(input);
  const document = parseJson(text);
  const fail = (reason: string, field?: string, line?: number): never => {
    throw new IntelParseError('kev', reason, { field, line });
  };

  if (!isObject(document)) return fail('the document is not a JSON object');
  const { catalogVersion, dateReleased, count, vulnerabilities } = document;
  if (typeof catalogVersion !== 'string' || catalogVersion.trim() === '') {
    return fail('catalogVersion must be a non-empty string', '/catalogVersion');
  }
  if (typeof dateReleased !== 'string' || !DATE_TIME.test(dateReleased)) {
    return fail('dateReleased must be an ISO 8601 date-time', '/dateReleased');
  }
  const asOf = new Date(dateReleased).toISOString().slice(0, 10);
  if (!Array.isArray(vulnerabilities)) {
    return fail('vulnerabilities must be an array', '/vulnerabilities');
  }
  if (count !== undefined && count !== vulnerabilities.length) {
    return fail(
      `count says ${String(count)} but vulnerabilities has ${vulnerabilities.length} entries`,
      '/count',
    );
  }

  const lines = entryLines(text, vulnerabilities.length);
  const seen = new Map<string, number>();
  const entries = vulnerabilities.map((raw: unknown, index): KevEntry => {
    const pointer = `/vulnerabilities/${index}`;
    const line = lines[index];
    const invalid = (field: string, reason: string): never =>
      fail(reason, `${pointer}/${field}`, line);
    if (!isObject(raw)) return fail('entry is not an object', pointer, line);

    const requiredText = (field: string): string => {
      const value = raw[field];
      if (typeof value !== 'string' || value.trim() === '') {
        return invalid(field, `${field} must be a non-empty string`);
      }
      return value;
    };
    const date = (field: string): string => {
      const value = requiredText(field);
      if (!isIsoDate(value)) return invalid(field, `${field} "${value}" is not a YYYY-MM-DD date`);
      return value;
    };

    const cveId = requiredText('cveID');
    if (!isCveId(cveId)) return invalid('cveID', `cveID "${cveId}" is not a CVE identifier`);
    const duplicateOf = seen.get(cveId);
    if (duplicateOf !== undefined) {
      return invalid('cveID', `${cveId} is listed twice (also at /vulnerabilities/${duplicateOf})`);
    }
    seen.set(cveId, index);

    const [vendorProject, product, vulnerabilityName, shortDescription, requiredAction] =
      REQUIRED_TEXT_FIELDS.map((field) => requiredText(field)) as [
        string,
        string,
        string,
        string,
        string,
      ];

    // Optional in the schema: the first catalogs predate ransomware use, notes and CWEs.
    const ransomware = raw['knownRansomwareCampaignUse'] ?? 'Unknown';
    if (ransomware !== 'Known' && ransomware !== 'Unknown') {
      return invalid(
        'knownRansomwareCampaignUse',
        'knownRansomwareCampaignUse must be "Known" or "Unknown"',
      );
    }
    const notes = raw['notes'] ?? '';
    if (typeof notes !== 'string') return invalid('notes', 'notes must be a string');
    const cwes = raw['cwes'] ?? [];
    if (!Array.isArray(cwes) || !cwes.every((cwe): cwe is string => typeof cwe === 'string')) {
      return invalid('cwes', 'cwes must be an array of strings');
    }

    return {
      cveId,
      vendorProject,
      product,
      vulnerabilityName,
      dateAdded: date('dateAdded'),
      shortDescription,
      requiredAction,
      dueDate: date('dueDate'),
      knownRansomwareCampaignUse: ransomware,
      notes,
      cwes,
    };
  });

  return createKevCatalog({ catalogVersion, dateReleased, asOf }, entries);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new IntelParseError(
      'kev',
      `not valid JSON: ${message}`,
      { line: syntaxErrorLine(text, message) },
      {
        cause: error,
      },
    );
  }
}

function syntaxErrorLine(text: string, message: string): number | undefined {
  const reported = /line (\d+)/.exec(message);
  if (reported !== null) return Number(reported[1]);
  const position = /position (\d+)/.exec(message);
  if (position === null) return undefined;
  return text.slice(0, Number(position[1])).split('\n').length;
}

/**
 * The line each entry's `"cveID"` key is on, for error messages. Trusted only when there is
 * exactly one such key per entry; otherwise entries are named by pointer alone.
 */
function entryLines(text: string, entryCount: number): (number | undefined)[] {
  const lines: number[] = [];
  let line = 1;
  let from = 0;
  for (let at = text.indexOf('"cveID"'); at !== -1; at = text.indexOf('"cveID"', at + 1)) {
    for (let i = from; i < at; i += 1) if (text.charCodeAt(i) === 10) line += 1;
    from = at;
    lines.push(line);
  }
  return lines.length === entryCount ? lines : [];
}
