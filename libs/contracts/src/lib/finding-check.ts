import { CVSS_VERSIONS, FindingV1 } from './finding';
// z.url({ protocol: /^https?$/ }) insists on `://` after http(s), then parses what is left
// after trimming: isHttpUrl is that rule.
import { isHttpUrl } from './http-url';
import {
  ASSET_TYPES,
  COMMIT_PATTERN,
  ENVIRONMENTS,
  EXPOSURES,
  FINDING_KINDS,
  IDENTIFIER_PATTERN,
  SEVERITIES,
  TEAM_NAME_PATTERN,
  Timestamp,
} from './primitives';

/**
 * Finding v1 as straight-line checks, for hot paths (parseReport, and decodeEvent for every
 * consumed findings.raw message): the zod schema stays the contract (and words the error when
 * this check fails), this is the same rules without zod's per-field machinery and copying,
 * about ten times faster. finding-check.spec.ts holds the two to the same verdict on every
 * field, so a contract change fails a test here until this follows.
 *
 * `scanId`, `asset` and `detectedAt` are the scan context, checked once per report by
 * parseReport; {@link findingConforms} checks them too.
 */
export function findingProblem(finding: unknown): string | undefined {
  if (!isPlainObject(finding)) return '(finding): expected an object';
  const key = unexpectedKey(finding, TOP_KEYS);
  if (key !== undefined) return `(finding): unrecognized key "${key}"`;
  return hex64(finding.fingerprint, 'fingerprint') ?? findingContentProblem(finding);
}

/**
 * Whether `value` is a whole Finding v1, scan context included, that zod would pass through
 * unchanged: the caller may keep `value` itself as the checked finding. zod's one transform in
 * Finding v1 is on URLs (it trims them and drops tabs and line breaks, which the URL parser
 * ignores), so such a URL is left to zod. The scan id and time go to zod's own rules (strings:
 * nothing to copy). Unchanged means the same data: the key order stays the producer's, where
 * zod's copy would follow the schema's; nothing depends on it.
 */
export function findingConforms(value: unknown): value is FindingV1 {
  if (findingProblem(value) !== undefined) return false;
  const { scanId, asset, detectedAt, references } = value as Fields;
  return (
    (references as string[]).every(isUrlAsZodLeavesIt) &&
    typeof scanId === 'string' &&
    SCAN_ID.safeParse(scanId).success &&
    typeof detectedAt === 'string' &&
    Timestamp.safeParse(detectedAt).success &&
    assetConforms(asset)
  );
}

/** AssetRef as it stands, URLs untrimmed (see {@link findingConforms}). */
function assetConforms(value: unknown): boolean {
  if (!isPlainObject(value) || unexpectedKey(value, FINDING_OBJECT_KEYS.asset) !== undefined)
    return false;
  const { id, type, environment, team, owner, exposure, repository, commit, pipelineRun } = value;
  return (
    typeof id === 'string' &&
    text(id, 1, 200, '') === undefined &&
    IDENTIFIER_PATTERN.test(id) &&
    ASSET_TYPE_SET.has(type) &&
    (environment === undefined || ENVIRONMENT_SET.has(environment)) &&
    (team === undefined ||
      (typeof team === 'string' &&
        text(team, 1, 100, '') === undefined &&
        TEAM_NAME_PATTERN.test(team))) &&
    (owner === undefined || text(owner, 1, 200, '') === undefined) &&
    (exposure === undefined || EXPOSURE_SET.has(exposure)) &&
    (repository === undefined || isUntrimmedHttpUrl(repository)) &&
    (commit === undefined || (typeof commit === 'string' && COMMIT_PATTERN.test(commit))) &&
    (pipelineRun === undefined || isUntrimmedHttpUrl(pipelineRun))
  );
}

/** An HttpUrl that zod passes as it is (see {@link isUrlAsZodLeavesIt}). */
function isUntrimmedHttpUrl(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    value.length <= 2048 &&
    isUrlAsZodLeavesIt(value) &&
    isHttpUrl(value)
  );
}

/** Nothing for zod's URL rule to take out: no spaces around it, no tab or line break in it. */
function isUrlAsZodLeavesIt(text: string): boolean {
  return text.trim() === text && !TAB_OR_LINE_BREAK.test(text);
}

/** The first key of `value` that `allowed` does not list. */
export function unexpectedKey(
  value: Record<string, unknown>,
  allowed: ReadonlySet<string>,
): string | undefined {
  for (const key in value) if (!allowed.has(key)) return key;
  return undefined;
}

/**
 * findingProblem without the fingerprint and the check of the top-level keys: for a finding
 * whose keys its builder chose and whose fingerprint it computed (parseReport).
 */
export function findingContentProblem(f: Record<string, unknown>): string | undefined {
  return (
    oneOf(f.kind, KINDS, 'kind') ??
    text(f.title, 1, 1000, 'title') ??
    optional(f.description, (v) => text(v, 0, 32_000, 'description')) ??
    optional(f.rule, rule) ??
    severity(f.severity) ??
    optional(f.vulnerability, vulnerability) ??
    list(f.cvss, 10, 'cvss', cvss) ??
    list(f.cwes, 20, 'cwes', cwe) ??
    optional(f.component, component) ??
    optional(f.location, location) ??
    list(f.references, 50, 'references', reference) ??
    list(f.tags, 50, 'tags', (v, at) => text(v, 1, 100, at)) ??
    tool(f.tool)
  );
}

type Fields = Record<string, unknown>;
type Check = (value: unknown, at: string) => string | undefined;

const TOP_KEYS = new Set([
  'fingerprint',
  'scanId',
  'kind',
  'title',
  'description',
  'rule',
  'severity',
  'vulnerability',
  'cvss',
  'cwes',
  'component',
  'location',
  'references',
  'tags',
  'tool',
  'asset',
  'detectedAt',
]);
const KINDS: ReadonlySet<unknown> = new Set(FINDING_KINDS);
const SEVERITY_SET: ReadonlySet<unknown> = new Set(SEVERITIES);
const CVSS_VERSION_SET: ReadonlySet<unknown> = new Set(CVSS_VERSIONS);
const HEX64 = /^[a-f0-9]{64}$/;
const SCAN_ID = FindingV1.shape.scanId;
const TAB_OR_LINE_BREAK = /[\t\n\r]/;
const ASSET_TYPE_SET: ReadonlySet<unknown> = new Set(ASSET_TYPES);
const ENVIRONMENT_SET: ReadonlySet<unknown> = new Set(ENVIRONMENTS);
const EXPOSURE_SET: ReadonlySet<unknown> = new Set(EXPOSURES);
const CWE = /^CWE-\d{1,5}$/;

/** Keys each strict object of Finding v1 allows; the spec compares them with the schema. */
export const FINDING_OBJECT_KEYS = {
  finding: TOP_KEYS,
  rule: new Set(['id', 'name', 'helpUri']),
  severity: new Set(['reported', 'normalized']),
  vulnerability: new Set(['id', 'aliases']),
  cvss: new Set(['version', 'vector', 'reportedScore', 'source']),
  component: new Set(['name', 'version', 'purl', 'ecosystem', 'fixedVersions', 'path']),
  location: new Set([
    'path',
    'startLine',
    'endLine',
    'startColumn',
    'endColumn',
    'snippet',
    'logical',
    'url',
    'method',
    'parameter',
  ]),
  tool: new Set(['name', 'version']),
  asset: new Set([
    'id',
    'type',
    'environment',
    'team',
    'owner',
    'exposure',
    'repository',
    'commit',
    'pipelineRun',
  ]),
} as const;

function isPlainObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strict(value: unknown, keys: ReadonlySet<string>, at: string): string | undefined {
  if (!isPlainObject(value)) return `${at}: expected an object`;
  for (const key in value) {
    if (!keys.has(key)) return `${at}: unrecognized key "${key}"`;
  }
  return undefined;
}

function optional(
  value: unknown,
  check: (value: unknown) => string | undefined,
): string | undefined {
  return value === undefined ? undefined : check(value);
}

function text(value: unknown, min: number, max: number, at: string): string | undefined {
  if (typeof value !== 'string') return `${at}: expected a string`;
  if (value.length < min) return `${at}: too short`;
  if (value.length > max) return `${at}: too long (more than ${max} characters)`;
  return undefined;
}

function optionalText(value: unknown, min: number, max: number, at: string): string | undefined {
  return value === undefined ? undefined : text(value, min, max, at);
}

function oneOf(value: unknown, allowed: ReadonlySet<unknown>, at: string): string | undefined {
  return allowed.has(value) ? undefined : `${at}: not an allowed value`;
}

function hex64(value: unknown, at: string): string | undefined {
  return typeof value === 'string' && HEX64.test(value)
    ? undefined
    : `${at}: expected a lowercase hex SHA-256`;
}

function list(value: unknown, max: number, at: string, check: Check): string | undefined {
  if (!Array.isArray(value)) return `${at}: expected an array`;
  if (value.length > max) return `${at}: more than ${max} entries`;
  for (let i = 0; i < value.length; i++) {
    const problem = check(value[i], `${at}.${i}`);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function score(value: unknown, at: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${at}: expected a number`;
  return value < 0 || value > 10 ? `${at}: out of range 0..10` : undefined;
}

function line(value: unknown, at: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    return `${at}: expected an integer`;
  return value < 0 ? `${at}: negative` : undefined;
}

function rule(value: unknown): string | undefined {
  return (
    strict(value, FINDING_OBJECT_KEYS.rule, 'rule') ??
    text((value as Fields).id, 1, 500, 'rule.id') ??
    optionalText((value as Fields).name, 1, 1000, 'rule.name') ??
    optionalText((value as Fields).helpUri, 0, 2048, 'rule.helpUri')
  );
}

function severity(value: unknown): string | undefined {
  return (
    strict(value, FINDING_OBJECT_KEYS.severity, 'severity') ??
    optionalText((value as Fields).reported, 0, 100, 'severity.reported') ??
    oneOf((value as Fields).normalized, SEVERITY_SET, 'severity.normalized')
  );
}

function vulnerability(value: unknown): string | undefined {
  return (
    strict(value, FINDING_OBJECT_KEYS.vulnerability, 'vulnerability') ??
    text((value as Fields).id, 1, 100, 'vulnerability.id') ??
    list((value as Fields).aliases, 50, 'vulnerability.aliases', (v, at) => text(v, 1, 100, at))
  );
}

function cvss(value: unknown, at: string): string | undefined {
  return (
    strict(value, FINDING_OBJECT_KEYS.cvss, at) ??
    oneOf((value as Fields).version, CVSS_VERSION_SET, `${at}.version`) ??
    text((value as Fields).vector, 1, 300, `${at}.vector`) ??
    score((value as Fields).reportedScore, `${at}.reportedScore`) ??
    optionalText((value as Fields).source, 1, 100, `${at}.source`)
  );
}

function cwe(value: unknown, at: string): string | undefined {
  return typeof value === 'string' && CWE.test(value) ? undefined : `${at}: expected CWE-<number>`;
}

function component(value: unknown): string | undefined {
  const c = value as Fields;
  return (
    strict(value, FINDING_OBJECT_KEYS.component, 'component') ??
    text(c.name, 1, 500, 'component.name') ??
    optionalText(c.version, 1, 200, 'component.version') ??
    (c.purl === undefined
      ? undefined
      : typeof c.purl === 'string' && c.purl.startsWith('pkg:') && c.purl.length <= 1000
        ? undefined
        : 'component.purl: expected a purl (pkg:…, at most 1000 characters)') ??
    optionalText(c.ecosystem, 1, 50, 'component.ecosystem') ??
    list(c.fixedVersions, 50, 'component.fixedVersions', (v, at) => text(v, 1, 200, at)) ??
    optionalText(c.path, 1, 2000, 'component.path')
  );
}

function location(value: unknown): string | undefined {
  const l = value as Fields;
  return (
    strict(value, FINDING_OBJECT_KEYS.location, 'location') ??
    optionalText(l.path, 1, 2000, 'location.path') ??
    line(l.startLine, 'location.startLine') ??
    line(l.endLine, 'location.endLine') ??
    line(l.startColumn, 'location.startColumn') ??
    line(l.endColumn, 'location.endColumn') ??
    optionalText(l.snippet, 0, 4000, 'location.snippet') ??
    optionalText(l.logical, 1, 1000, 'location.logical') ??
    optionalText(l.url, 1, 4000, 'location.url') ??
    optionalText(l.method, 1, 20, 'location.method') ??
    optionalText(l.parameter, 1, 500, 'location.parameter')
  );
}

function reference(value: unknown, at: string): string | undefined {
  if (typeof value !== 'string' || value.length > 2048)
    return `${at}: expected a URL of at most 2048 characters`;
  return isHttpUrl(value.trim()) ? undefined : `${at}: not an http(s) URL`;
}

function tool(value: unknown): string | undefined {
  return (
    strict(value, FINDING_OBJECT_KEYS.tool, 'tool') ??
    text((value as Fields).name, 1, 100, 'tool.name') ??
    optionalText((value as Fields).version, 1, 100, 'tool.version')
  );
}
