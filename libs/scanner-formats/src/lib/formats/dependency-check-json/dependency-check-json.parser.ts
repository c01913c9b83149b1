import { z } from 'zod';
import { FindingLimit } from '../../core/finding-limit';
import { truncate } from '../../core/normalize';
import { readWithSchema } from '../../core/read-with-schema';
import type { ParseOptions, ParsedFinding, ReportParser, ReportSource } from '../../core/types';
import { parseJsonText } from '../../stream/json-stream';
import {
  mapDependencyCheckFinding,
  type DcDependency,
  type DcVulnerability,
} from './dependency-check-finding';

const text = z.string().nullish();
// Scores are numbers in the JSON template, but some versions quote them.
const score = z
  .union([z.number(), z.string().regex(/^\s*\d+(?:\.\d+)?\s*$/, 'expected a number')])
  .nullish();

function asNumber(value: number | string | null | undefined): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

const DcJsonVulnerability = z.object({
  source: text,
  name: z.string().trim().min(1),
  severity: text,
  // Several template versions misspell keys (`authenticationr`, `baseSeverity>`): all are read.
  cvssv2: z
    .object({
      score,
      accessVector: text,
      accessComplexity: text,
      authentication: text,
      authenticationr: text,
      'authenticationr>': text,
      confidentialImpact: text,
      confidentialityImpact: text,
      integrityImpact: text,
      availabilityImpact: text,
      severity: text,
    })
    .nullish(),
  cvssv3: z
    .object({
      baseScore: score,
      attackVector: text,
      attackComplexity: text,
      privilegesRequired: text,
      userInteraction: text,
      scope: text,
      confidentialityImpact: text,
      integrityImpact: text,
      availabilityImpact: text,
      baseSeverity: text,
      'baseSeverity>': text,
      version: text,
    })
    .nullish(),
  cvssv4: z
    .object({ vectorString: text, baseScore: score, baseSeverity: text, source: text })
    .nullish(),
  cwes: z.array(z.string()).nullish(),
  description: text,
  notes: text,
  references: z.array(z.object({ url: text, name: text })).nullish(),
  vulnerableSoftware: z
    .array(
      z.object({
        software: z.object({
          id: z.string(),
          vulnerabilityIdMatched: z.union([z.string(), z.boolean()]).nullish(),
          versionEndExcluding: text,
        }),
      }),
    )
    .nullish(),
  knownExploitedVulnerability: z.object({}).nullish(),
});
type DcJsonVulnerability = z.infer<typeof DcJsonVulnerability>;

const DcJsonDependency = z.object({
  fileName: text,
  filePath: text,
  packages: z.array(z.object({ id: z.string() })).nullish(),
  vulnerabilityIds: z.array(z.object({ id: z.string() })).nullish(),
  // Suppressed vulnerabilities (`suppressedVulnerabilities`) are deliberately not read.
  vulnerabilities: z.array(z.unknown()).nullish(),
});

const DcJsonReport = z.object({
  reportSchema: text,
  scanInfo: z.object({ engineVersion: text }).nullish(),
  dependencies: z.array(z.unknown()),
});

const REPORT_SCHEMA_KEY = /"reportSchema"\s*:\s*"/;
const ENGINE_VERSION_KEY = /"engineVersion"\s*:\s*"/;
const DEPENDENCY_LIST = /"dependencies"\s*:\s*\[/;
const PROJECT_INFO = /"projectInfo"\s*:\s*\{/;
const SCAN_INFO = /"scanInfo"\s*:\s*\{/;

function orUndefined(value: string | null | undefined): string | undefined {
  return value ?? undefined;
}

function toVulnerability(json: DcJsonVulnerability): DcVulnerability {
  const { cvssv2, cvssv3, cvssv4 } = json;
  return {
    source: orUndefined(json.source),
    name: json.name,
    severity: orUndefined(json.severity),
    cvssV2: cvssv2
      ? {
          score: asNumber(cvssv2.score),
          accessVector: orUndefined(cvssv2.accessVector),
          accessComplexity: orUndefined(cvssv2.accessComplexity),
          authentication: orUndefined(
            cvssv2.authenticationr ?? cvssv2['authenticationr>'] ?? cvssv2.authentication,
          ),
          confidentialityImpact: orUndefined(
            cvssv2.confidentialityImpact ?? cvssv2.confidentialImpact,
          ),
          integrityImpact: orUndefined(cvssv2.integrityImpact),
          availabilityImpact: orUndefined(cvssv2.availabilityImpact),
          severity: orUndefined(cvssv2.severity),
        }
      : undefined,
    cvssV3: cvssv3
      ? {
          baseScore: asNumber(cvssv3.baseScore),
          attackVector: orUndefined(cvssv3.attackVector),
          attackComplexity: orUndefined(cvssv3.attackComplexity),
          privilegesRequired: orUndefined(cvssv3.privilegesRequired),
          userInteraction: orUndefined(cvssv3.userInteraction),
          scope: orUndefined(cvssv3.scope),
          confidentialityImpact: orUndefined(cvssv3.confidentialityImpact),
          integrityImpact: orUndefined(cvssv3.integrityImpact),
          availabilityImpact: orUndefined(cvssv3.availabilityImpact),
          baseSeverity: orUndefined(cvssv3.baseSeverity ?? cvssv3['baseSeverity>']),
          version: orUndefined(cvssv3.version),
        }
      : undefined,
    cvssV4: cvssv4
      ? {
          vectorString: orUndefined(cvssv4.vectorString),
          baseScore: asNumber(cvssv4.baseScore),
          baseSeverity: orUndefined(cvssv4.baseSeverity),
          source: orUndefined(cvssv4.source),
        }
      : undefined,
    cwes: json.cwes ?? [],
    description: orUndefined(json.description),
    notes: orUndefined(json.notes),
    references: (json.references ?? []).map((r) => ({
      url: orUndefined(r.url),
      name: orUndefined(r.name),
    })),
    vulnerableSoftware: (json.vulnerableSoftware ?? []).map(({ software }) => ({
      cpe: software.id,
      matched:
        software.vulnerabilityIdMatched === true || software.vulnerabilityIdMatched === 'true',
      versionEndExcluding: orUndefined(software.versionEndExcluding),
    })),
    knownExploited: json.knownExploitedVulnerability != null,
  };
}

async function* parseDependencyCheckJson(
  source: ReportSource,
  options: ParseOptions,
): AsyncGenerator<ParsedFinding> {
  const format = 'dependency-check-json';
  const report = readWithSchema(
    DcJsonReport,
    parseJsonText(await source.text(), format),
    format,
    '',
  );
  const version = truncate(report.scanInfo?.engineVersion, 100);
  const tool = version ? { name: 'Dependency-Check', version } : { name: 'Dependency-Check' };
  const limit = new FindingLimit(format, options.maxFindings);
  for (let d = 0; d < report.dependencies.length; d += 1) {
    const pointer = `/dependencies/${d}`;
    const json = readWithSchema(DcJsonDependency, report.dependencies[d], format, pointer);
    const dependency: DcDependency = {
      fileName: orUndefined(json.fileName),
      filePath: orUndefined(json.filePath),
      packageIds: (json.packages ?? []).map((p) => p.id),
      cpes: (json.vulnerabilityIds ?? []).map((v) => v.id),
      legacyIdentifiers: [],
    };
    const vulnerabilities = json.vulnerabilities ?? [];
    for (let v = 0; v < vulnerabilities.length; v += 1) {
      const vulnerabilityPointer = `${pointer}/vulnerabilities/${v}`;
      const vulnerability = readWithSchema(
        DcJsonVulnerability,
        vulnerabilities[v],
        format,
        vulnerabilityPointer,
      );
      limit.take({ pointer: vulnerabilityPointer });
      yield mapDependencyCheckFinding(dependency, toVulnerability(vulnerability), tool);
    }
  }
}

export const dependencyCheckJsonParser: ReportParser = {
  format: 'dependency-check-json',
  displayName: 'OWASP Dependency-Check JSON',
  defaultTool: { name: 'Dependency-Check' },
  detect(head: string): number {
    if (
      REPORT_SCHEMA_KEY.test(head) &&
      (ENGINE_VERSION_KEY.test(head) || DEPENDENCY_LIST.test(head))
    )
      return 0.95;
    if (ENGINE_VERSION_KEY.test(head) && SCAN_INFO.test(head) && PROJECT_INFO.test(head))
      return 0.8;
    return 0;
  },
  parse: parseDependencyCheckJson,
};
