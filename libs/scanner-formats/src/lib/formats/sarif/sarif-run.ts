import type { CvssVector, FindingKind, ToolRef, VulnerabilityRef } from '@hum/contracts';
import { JsonFields } from '../../core/json-fields';
import type { JsonPathSegment } from '../../core/json-pointer';
import { firstLine, httpUrls, normalizeCwes, truncate } from '../../core/normalize';
import type { ParsedFinding } from '../../core/types';
import { cvssFromProperties } from './sarif-cvss';

/** What hum needs of one `reportingDescriptor` (rule), worked out once per run. */
export interface SarifRule {
  id: string;
  name: string | undefined;
  /** shortDescription: the rule's one-line statement, the finding title when present. */
  title: string | undefined;
  fullDescription: string | undefined;
  helpUri: string | undefined;
  /** Plain-text help (Grype puts package facts here). */
  helpText: string | undefined;
  /** defaultConfiguration.level */
  level: string | undefined;
  /** properties["security-severity"]: a CVSS-like score, or a word some tools write. */
  securitySeverity: string | undefined;
  cwes: string[];
  tags: string[];
  references: string[];
  cvss: CvssVector[];
  /** What the rule's tags say the finding is, when they say. */
  kindHint: FindingKind | undefined;
  messageStrings: Map<string, string>;
  properties: JsonFields | undefined;
}

export interface SarifRun {
  tool: ToolRef;
  /** Lower-case driver name, for producer conventions. */
  producer: string;
  producerKind: FindingKind | undefined;
  rulesById: Map<string, SarifRule>;
  /** Rules by index: [driver, extension 0, extension 1, ...]. */
  rulesByComponent: SarifRule[][];
  /** `artifacts[i].location.uri`, for locations that give only an index. */
  artifactUris: Map<number, string>;
  /** The advisory each rule id names (or none), worked out once. */
  advisories: Map<string, VulnerabilityRef | undefined>;
  /** The finding's `rule` for each rule and rule id, built once and shared by its findings. */
  findingRules: Map<SarifRule | undefined, Map<string, FindingRule>>;
}

export type FindingRule = NonNullable<ParsedFinding['rule']>;

const CWE_TAG = /^(?:external\/cwe\/)?cwe[-_:]?\d+/i;
const SEVERITY_TAGS = new Set(['critical', 'high', 'medium', 'low', 'info', 'unknown']);
const MARKDOWN_LINK = /\]\((https?:\/\/[^)\s]+)\)/g;

/**
 * Tools whose output is one kind of finding. SARIF has no field for it, so the producer decides
 * where rule tags do not (Trivy mixes kinds and says so in tags).
 */
const PRODUCER_KINDS: readonly [RegExp, FindingKind][] = [
  [
    /gitleaks|trufflehog|detect-secrets|ggshield|gitguardian|noseyparker|secretlint|talisman/i,
    'secret',
  ],
  [
    /checkov|kics|tfsec|terrascan|dockle|hadolint|kube-?score|kubesec|kube-linter|cfn[-_ ]?(lint|nag)|tflint|polaris|prowler|iac/i,
    'misconfiguration',
  ],
  [
    /dependency-check|grype|osv-scanner|snyk open source|retire|npm audit|ossindex|dependabot/i,
    'vulnerability',
  ],
];

export function producerKind(name: string): FindingKind | undefined {
  for (const [pattern, kind] of PRODUCER_KINDS) if (pattern.test(name)) return kind;
  return undefined;
}

function kindFromTags(tags: readonly string[]): FindingKind | undefined {
  for (const tag of tags) {
    const lower = tag.toLowerCase();
    if (lower === 'secret' || lower === 'secrets') return 'secret';
    if (lower === 'misconfiguration' || lower === 'iac') return 'misconfiguration';
  }
  return undefined;
}

function messageText(fields: JsonFields | undefined): string | undefined {
  return fields?.string('text') ?? fields?.string('markdown');
}

function digestRule(rule: JsonFields): SarifRule | undefined {
  const id = rule.string('id');
  if (id === undefined) return undefined;
  const properties = rule.object('properties');
  const tags = properties?.looseStrings('tags') ?? [];
  const cweSources: string[] = tags.filter((tag) => CWE_TAG.test(tag));
  cweSources.push(...(properties?.looseStrings('cwe') ?? []));
  for (const relationship of rule.objects('relationships')) {
    const target = relationship.object('target');
    const component = target?.object('toolComponent')?.string('name');
    const targetId = target?.string('id');
    if (targetId !== undefined && component !== undefined && /cwe/i.test(component)) {
      cweSources.push(`CWE-${targetId}`);
    }
  }
  const help = rule.object('help');
  const helpUri = rule.string('helpUri');
  const links: string[] = [];
  const markdown = help?.string('markdown');
  if (markdown !== undefined)
    for (const match of markdown.matchAll(MARKDOWN_LINK)) links.push(match[1]!);
  const messageStrings = new Map<string, string>();
  const strings = rule.object('messageStrings');
  if (strings !== undefined) {
    for (const key of Object.keys(strings.value)) {
      const text = messageText(strings.object(key));
      if (text !== undefined) messageStrings.set(key, text);
    }
  }
  const level = rule.object('defaultConfiguration')?.string('level');
  return {
    id,
    name: rule.string('name'),
    title: firstLine(messageText(rule.object('shortDescription')), 1000),
    fullDescription: messageText(rule.object('fullDescription')),
    helpUri: helpUri !== undefined && helpUri.length <= 2048 ? helpUri : undefined,
    helpText: help?.string('text'),
    level,
    securitySeverity: properties?.looseText('security-severity'),
    cwes: normalizeCwes(cweSources),
    tags: tags
      .filter((tag) => !CWE_TAG.test(tag) && !SEVERITY_TAGS.has(tag.toLowerCase()))
      .map((tag) => truncate(tag, 100)!)
      .filter((tag) => tag !== undefined)
      .slice(0, 50),
    references: httpUrls([helpUri, ...links]),
    cvss: cvssFromProperties(properties),
    kindHint: kindFromTags(tags),
    messageStrings,
    properties,
  };
}

function digestRules(component: JsonFields | undefined, into: Map<string, SarifRule>): SarifRule[] {
  const rules: SarifRule[] = [];
  for (const rule of component?.objects('rules') ?? []) {
    const digested = digestRule(rule);
    // Keep indices aligned with the array even when a rule has no id.
    rules.push(digested ?? EMPTY_RULE);
    if (digested !== undefined && !into.has(digested.id)) into.set(digested.id, digested);
  }
  return rules;
}

const EMPTY_RULE: SarifRule = {
  id: '',
  name: undefined,
  title: undefined,
  fullDescription: undefined,
  helpUri: undefined,
  helpText: undefined,
  level: undefined,
  securitySeverity: undefined,
  cwes: [],
  tags: [],
  references: [],
  cvss: [],
  kindHint: undefined,
  messageStrings: new Map(),
  properties: undefined,
};

/** Digests `runs[i].tool`: the tool's name and version and every rule, indexed two ways. */
export function digestRun(
  tool: unknown,
  path: readonly JsonPathSegment[],
  artifactUris: Map<number, string>,
): SarifRun {
  const fields = JsonFields.of('sarif', tool, path);
  const driver = fields.object('driver');
  const name = driver?.string('name') ?? 'SARIF producer';
  const version = driver?.string('version') ?? driver?.string('semanticVersion');
  const rulesById = new Map<string, SarifRule>();
  const rulesByComponent = [digestRules(driver, rulesById)];
  for (const extension of fields.objects('extensions')) {
    rulesByComponent.push(digestRules(extension, rulesById));
  }
  return {
    tool: {
      name: truncate(name, 100)!,
      ...(version !== undefined ? { version: truncate(version, 100)! } : {}),
    },
    producer: name.toLowerCase(),
    producerKind: producerKind(name),
    rulesById,
    rulesByComponent,
    artifactUris,
    advisories: new Map(),
    findingRules: new Map(),
  };
}

/**
 * The rule a result refers to: by `ruleIndex` / `rule.index` (in the driver or the extension
 * `rule.toolComponent.index` names), else by id, else by the id's hierarchical parent
 * (`CA1000/1` → `CA1000`).
 */
export function findRule(
  run: SarifRun,
  ruleId: string | undefined,
  index: number | undefined,
  componentIndex: number | undefined,
): SarifRule | undefined {
  if (index !== undefined) {
    const component = run.rulesByComponent[componentIndex === undefined ? 0 : componentIndex + 1];
    const byIndex = component?.[index];
    if (byIndex !== undefined && byIndex !== EMPTY_RULE) return byIndex;
  }
  if (ruleId === undefined) return undefined;
  const exact = run.rulesById.get(ruleId);
  if (exact !== undefined) return exact;
  const slash = ruleId.indexOf('/');
  return slash > 0 ? run.rulesById.get(ruleId.slice(0, slash)) : undefined;
}
