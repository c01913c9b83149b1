import { type CvssVector, isHttpUrl, type Severity } from '@hum/contracts';

const SEVERITY_WORDS: Record<string, Severity> = {
  critical: 'critical',
  crit: 'critical',
  blocker: 'critical',
  high: 'high',
  error: 'high',
  major: 'high',
  important: 'high',
  medium: 'medium',
  moderate: 'medium',
  warning: 'medium',
  warn: 'medium',
  low: 'low',
  minor: 'low',
  note: 'low',
  info: 'info',
  informational: 'info',
  information: 'info',
  negligible: 'info',
  none: 'info',
  trivial: 'info',
  unknown: 'unknown',
  unspecified: 'unknown',
  undefined: 'unknown',
};

/**
 * Maps a severity word to hum's scale. Format-specific words (SARIF `note`, Grype
 * `Negligible`) are handled here once; parsers with their own rule map before calling.
 */
export function severityFromWord(word: string | undefined | null): Severity {
  if (word === undefined || word === null) return 'unknown';
  return lookup(SEVERITY_WORDS, word.trim().toLowerCase()) ?? 'unknown';
}

/** CVSS qualitative rating for a 0–10 score (CVSS v3.1 spec, section 5). */
export function severityFromScore(score: number | undefined | null): Severity {
  if (score === undefined || score === null || Number.isNaN(score)) return 'unknown';
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'info';
}

const CVE_RE = /\bCVE-\d{4}-\d{4,}\b/gi;
const GHSA_RE = /\bGHSA(?:-[23456789cfghjmpqrvwx]{4}){3}\b/gi;

export function extractCves(text: string | undefined | null): string[] {
  return text ? [...new Set([...text.matchAll(CVE_RE)].map((m) => m[0].toUpperCase()))] : [];
}

export function extractGhsas(text: string | undefined | null): string[] {
  return text
    ? [...new Set([...text.matchAll(GHSA_RE)].map((m) => `GHSA${m[0].slice(4).toLowerCase()}`))]
    : [];
}

const CVE_PREFIX = /^CVE-/i;
const GHSA_PREFIX = /^GHSA-/i;

/**
 * Picks the preferred vulnerability id (CVE, then GHSA, then the first given) and keeps the
 * rest as aliases, without duplicates.
 */
export function vulnerabilityRef(
  ids: Iterable<string | undefined | null>,
): { id: string; aliases: string[] } | undefined {
  const all = new Set<string>();
  for (const id of ids) {
    if (typeof id !== 'string') continue;
    const trimmed = id.trim();
    if (trimmed !== '') all.add(trimmed);
  }
  if (all.size === 0) return undefined;
  let cve: string | undefined;
  let ghsa: string | undefined;
  for (const id of all) {
    if (cve === undefined && CVE_PREFIX.test(id)) cve = id;
    else if (ghsa === undefined && GHSA_PREFIX.test(id)) ghsa = id;
  }
  const preferred = cve ?? ghsa ?? all.values().next().value!;
  const aliases: string[] = [];
  for (const id of all) {
    if (id === preferred) continue;
    aliases.push(id);
    if (aliases.length === 50) break;
  }
  return { id: preferred, aliases };
}

const CVSS_PREFIXED = /^CVSS:(3\.0|3\.1|4\.0)\//;
const CVSS_V2 = /^(\()?AV:[LAN]\/AC:[HML]\/Au:[MSN]\/C:[NPC]\/I:[NPC]\/A:[NPC]/;
const PARENTHESISED = /^\((.*)\)$/;
/** Vectors recognised so far: a report repeats a handful of vectors across its findings. */
const KNOWN_VECTORS = new Map<string, Pick<CvssVector, 'version' | 'vector'> | null>();

function recogniseVector(raw: string): Pick<CvssVector, 'version' | 'vector'> | null {
  let known = KNOWN_VECTORS.get(raw);
  if (known !== undefined) return known;
  const text = raw.trim();
  let version: CvssVector['version'] | undefined;
  const prefixed = CVSS_PREFIXED.exec(text);
  if (prefixed) version = prefixed[1] as CvssVector['version'];
  else if (CVSS_V2.test(text)) version = '2.0';
  known =
    version === undefined || text.length > 300
      ? null
      : { version, vector: text.replace(PARENTHESISED, '$1') };
  if (KNOWN_VECTORS.size >= 4096) KNOWN_VECTORS.clear();
  KNOWN_VECTORS.set(raw, known);
  return known;
}

/** Recognises a CVSS vector string and its version; anything else is `undefined`. */
export function parseCvssVector(
  vector: string | undefined | null,
  extra: { reportedScore?: number | undefined; source?: string | undefined } = {},
): CvssVector | undefined {
  if (!vector) return undefined;
  const known = recogniseVector(vector);
  if (known === null) return undefined;
  const result: CvssVector = { version: known.version, vector: known.vector };
  if (extra.reportedScore !== undefined && extra.reportedScore >= 0 && extra.reportedScore <= 10) {
    result.reportedScore = extra.reportedScore;
  }
  if (extra.source) result.source = extra.source.slice(0, 100);
  return result;
}

const CWE_NUMBER = /(?:CWE-)?(\d{1,5})/i;

/** `CWE-79`, `79`, `CWE-79: Improper ...` → `CWE-79`; junk is dropped. */
export function normalizeCwes(values: Iterable<string | number | undefined | null>): string[] {
  const out = new Set<string>();
  for (const value of values) {
    if (value === undefined || value === null) continue;
    const match = CWE_NUMBER.exec(String(value));
    if (match) out.add(`CWE-${Number(match[1])}`);
    if (out.size >= 20) break;
  }
  return [...out];
}

/**
 * Only absolute http(s) URLs, deduplicated, at most 50: references are rendered as links. Each
 * is what the contract's URL rule makes of it (trimmed, tabs and line breaks dropped, as the
 * URL parser ignores them), so a consumer's decode keeps it as it is.
 */
export function httpUrls(values: Iterable<string | undefined | null>): string[] {
  const out = new Set<string>();
  for (const value of values) {
    if (!value) continue;
    const text = value.trim().replace(/[\t\n\r]/g, '');
    if (text.length > 2048 || !isHttpUrl(text)) continue;
    out.add(text);
    if (out.size >= 50) break;
  }
  return [...out];
}

export function truncate(text: string | undefined | null, max: number): string | undefined {
  if (text === undefined || text === null) return undefined;
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return trimmed.length <= max ? trimmed : `${trimmed.slice(0, max - 1)}…`;
}

const HAS_DIGIT = /\d/;

/**
 * Whether a token from prose ("fixed in 2.29.2", "Upgrade to 1.4.9 or above") can be a version:
 * a digit, no space, at most 200 characters. Words such as "N/A" or "latest" are not.
 */
export function isVersionToken(token: string): boolean {
  return token.length > 0 && token.length <= 200 && HAS_DIGIT.test(token) && !token.includes(' ');
}

/**
 * Percent-decoding (`a%20b` → `a b`) that keeps the text as written when it is not valid
 * (a stray `%` in a hand-written purl or path): the raw text is still the best name there is.
 */
export function percentDecoded(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    // Malformed escapes: keep the text as the report wrote it.
    return text;
  }
}

/** First line of a text, trimmed and cut to `max` characters: titles come from messages. */
export function firstLine(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  const newline = trimmed.indexOf('\n');
  const line = (newline === -1 ? trimmed : trimmed.slice(0, newline)).trim();
  if (line === '') return undefined;
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/**
 * A value of a lookup table, never one inherited from Object.prototype: report text such as
 * "constructor" or "__proto__" must not reach a table's prototype.
 */
export function lookup<T>(
  table: Readonly<Record<string, T>>,
  key: string | undefined,
): T | undefined {
  return key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}
