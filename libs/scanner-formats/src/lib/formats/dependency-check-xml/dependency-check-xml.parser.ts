import type { ToolRef } from '@hum/contracts';
import {
  mapDependencyCheckFinding,
  type DcCvssV2,
  type DcCvssV3,
  type DcCvssV4,
  type DcDependency,
  type DcVulnerability,
} from '../dependency-check-json/dependency-check-finding';
import {
  childElement,
  childElements,
  childText,
  elementLocation,
  elementText,
} from '../xml-common/xml-element';
import { streamXmlElements, type XmlElement } from '../xml-common/xml-stream';
import { ReportParseError } from '../../core/errors';
import { FindingLimit } from '../../core/finding-limit';
import { truncate } from '../../core/normalize';
import type { ParseOptions, ParsedFinding, ReportParser, ReportSource } from '../../core/types';

const FORMAT = 'dependency-check-xml';
const NUMBER = /^\d+(?:\.\d+)?$/;
const DC_NAMESPACE = /<analysis\b[^>]*dependency-check\.\d+(?:\.\d+)*\.xsd/;
const ANALYSIS_ROOT = /<analysis[\s>]/;
const DEPENDENCIES = /<dependencies[\s/>]/;
const SCAN_INFO = /<(?:scanInfo|projectInfo)[\s/>]/;

function numberIn(element: XmlElement, name: string): number | undefined {
  const child = childElement(element, name);
  const text = elementText(child);
  if (child === undefined || text === undefined) return undefined;
  if (!NUMBER.test(text)) {
    throw new ReportParseError(
      FORMAT,
      `<${name}> must be a number, not "${truncate(text, 40)}"`,
      elementLocation(child),
    );
  }
  return Number(text);
}

function cvssV2Of(vulnerability: XmlElement): DcCvssV2 | undefined {
  const v2 = childElement(vulnerability, 'cvssV2');
  if (v2) {
    return {
      score: numberIn(v2, 'score'),
      accessVector: childText(v2, 'accessVector'),
      accessComplexity: childText(v2, 'accessComplexity'),
      authentication: childText(v2, 'authenticationr') ?? childText(v2, 'authentication'),
      confidentialityImpact:
        childText(v2, 'confidentialImpact') ?? childText(v2, 'confidentialityImpact'),
      integrityImpact: childText(v2, 'integrityImpact'),
      availabilityImpact: childText(v2, 'availabilityImpact'),
      severity: childText(v2, 'severity'),
    };
  }
  // Schema 1.x puts the CVSS v2 metrics on the vulnerability itself.
  if (childElement(vulnerability, 'cvssScore') === undefined) return undefined;
  return {
    score: numberIn(vulnerability, 'cvssScore'),
    accessVector: childText(vulnerability, 'cvssAccessVector'),
    accessComplexity: childText(vulnerability, 'cvssAccessComplexity'),
    authentication:
      childText(vulnerability, 'cvssAuthenticationr') ??
      childText(vulnerability, 'cvssAuthentication'),
    confidentialityImpact: childText(vulnerability, 'cvssConfidentialImpact'),
    integrityImpact: childText(vulnerability, 'cvssIntegrityImpact'),
    availabilityImpact: childText(vulnerability, 'cvssAvailabilityImpact'),
  };
}

function cvssV3Of(vulnerability: XmlElement): DcCvssV3 | undefined {
  const v3 = childElement(vulnerability, 'cvssV3');
  if (v3 === undefined) return undefined;
  return {
    baseScore: numberIn(v3, 'baseScore'),
    attackVector: childText(v3, 'attackVector'),
    attackComplexity: childText(v3, 'attackComplexity'),
    privilegesRequired: childText(v3, 'privilegesRequired'),
    userInteraction: childText(v3, 'userInteraction'),
    scope: childText(v3, 'scope'),
    confidentialityImpact: childText(v3, 'confidentialityImpact'),
    integrityImpact: childText(v3, 'integrityImpact'),
    availabilityImpact: childText(v3, 'availabilityImpact'),
    baseSeverity: childText(v3, 'baseSeverity'),
    version: childText(v3, 'version'),
  };
}

function cvssV4Of(vulnerability: XmlElement): DcCvssV4 | undefined {
  const v4 = childElement(vulnerability, 'cvssV4');
  if (v4 === undefined) return undefined;
  return {
    vectorString: childText(v4, 'vectorString'),
    baseScore: numberIn(v4, 'baseScore'),
    baseSeverity: childText(v4, 'baseSeverity'),
    source: childText(v4, 'source'),
  };
}

function toVulnerability(element: XmlElement): DcVulnerability {
  const name = childText(element, 'name');
  if (name === undefined) {
    throw new ReportParseError(FORMAT, '<vulnerability> has no <name>', elementLocation(element));
  }
  const cwes = childElement(element, 'cwes');
  const legacyCwe = childText(element, 'cwe');
  return {
    source: element.attributes['source'],
    name,
    severity: childText(element, 'severity'),
    cvssV2: cvssV2Of(element),
    cvssV3: cvssV3Of(element),
    cvssV4: cvssV4Of(element),
    cwes: cwes
      ? childElements(cwes, 'cwe').flatMap((cwe) => elementText(cwe) ?? [])
      : legacyCwe
        ? [legacyCwe]
        : [],
    description: childText(element, 'description'),
    notes: childText(element, 'notes'),
    references: childElements(childElement(element, 'references') ?? element, 'reference').map(
      (reference) => ({
        url: childText(reference, 'url'),
        name: childText(reference, 'name'),
      }),
    ),
    vulnerableSoftware: childElements(
      childElement(element, 'vulnerableSoftware') ?? element,
      'software',
    ).flatMap((software) => {
      const cpe = elementText(software);
      if (cpe === undefined) return [];
      return [
        {
          cpe,
          matched: software.attributes['vulnerabilityIdMatched'] === 'true',
          versionEndExcluding: software.attributes['versionEndExcluding'],
        },
      ];
    }),
    knownExploited: childElement(element, 'knownExploitedVulnerability') !== undefined,
  };
}

function toDependency(element: XmlElement): DcDependency {
  const identifiers = childElement(element, 'identifiers');
  const ids = (name: string): string[] =>
    identifiers ? childElements(identifiers, name).flatMap((id) => childText(id, 'id') ?? []) : [];
  return {
    fileName: childText(element, 'fileName'),
    filePath: childText(element, 'filePath'),
    packageIds: ids('package'),
    cpes: ids('vulnerabilityIds'),
    legacyIdentifiers: identifiers
      ? childElements(identifiers, 'identifier').map((identifier) => ({
          type: identifier.attributes['type'],
          name: childText(identifier, 'name'),
        }))
      : [],
  };
}

async function* parseDependencyCheckXml(
  source: ReportSource,
  options: ParseOptions,
): AsyncGenerator<ParsedFinding> {
  let tool: ToolRef = { name: 'Dependency-Check' };
  const limit = new FindingLimit(FORMAT, options.maxFindings);
  const collected = streamXmlElements(source, {
    format: FORMAT,
    root: 'analysis',
    collect: ['analysis/scanInfo', 'analysis/dependencies/dependency'],
    // Evidence, exception traces and suppressed vulnerabilities are most of a report's bulk
    // and never become findings: they are skipped without being built.
    skip: [
      'evidenceCollected',
      'analysisExceptions',
      'relatedDependencies',
      'suppressedVulnerability',
      'suppressedIdentifier',
      'projectReferences',
      'includedBy',
    ],
  });
  for await (const { path, element } of collected) {
    if (path === 'analysis/scanInfo') {
      const version = truncate(childText(element, 'engineVersion'), 100);
      if (version) tool = { name: 'Dependency-Check', version };
      continue;
    }
    const vulnerabilities = childElement(element, 'vulnerabilities');
    if (vulnerabilities === undefined) continue;
    const dependency = toDependency(element);
    for (const vulnerability of childElements(vulnerabilities, 'vulnerability')) {
      limit.take(elementLocation(vulnerability));
      yield mapDependencyCheckFinding(dependency, toVulnerability(vulnerability), tool);
    }
  }
}

export const dependencyCheckXmlParser: ReportParser = {
  format: FORMAT,
  displayName: 'OWASP Dependency-Check XML',
  defaultTool: { name: 'Dependency-Check' },
  detect(head: string): number {
    if (DC_NAMESPACE.test(head)) return 0.95;
    if (ANALYSIS_ROOT.test(head) && DEPENDENCIES.test(head) && SCAN_INFO.test(head)) return 0.7;
    return 0;
  },
  parse: parseDependencyCheckXml,
};
