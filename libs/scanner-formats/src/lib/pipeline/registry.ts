import type { FormatId, ReportParser } from '../core/types';
import { anchoreEngineParser } from '../formats/anchore-engine/anchore-engine.parser';
import { checkovJsonParser } from '../formats/checkov-json/checkov-json.parser';
import { cyclonedxParser } from '../formats/cyclonedx/cyclonedx.parser';
import { dependencyCheckJsonParser } from '../formats/dependency-check-json/dependency-check-json.parser';
import { dependencyCheckXmlParser } from '../formats/dependency-check-xml/dependency-check-xml.parser';
import { gitlabContainerScanningParser } from '../formats/gitlab-container-scanning/gitlab-container-scanning.parser';
import { gitlabDependencyScanningParser } from '../formats/gitlab-dependency-scanning/gitlab-dependency-scanning.parser';
import { gitlabSastParser } from '../formats/gitlab-sast/gitlab-sast.parser';
import { grypeJsonParser } from '../formats/grype-json/grype-json.parser';
import { humCanonicalParser } from '../formats/hum-canonical/hum-canonical.parser';
import { npmAuditParser } from '../formats/npm-audit/npm-audit.parser';
import { osvScannerParser } from '../formats/osv-scanner/osv-scanner.parser';
import { sarifParser } from '../formats/sarif/sarif.parser';
import { semgrepJsonParser } from '../formats/semgrep-json/semgrep-json.parser';
import { snykParser } from '../formats/snyk/snyk.parser';
import { trivyJsonParser } from '../formats/trivy-json/trivy-json.parser';
import { zapJsonParser } from '../formats/zap-json/zap-json.parser';
import { zapXmlParser } from '../formats/zap-xml/zap-xml.parser';

/**
 * Every parser hum knows. Adding a format means adding its folder and one line here; detection,
 * `--format` and the gateway pick it up from this list.
 */
export const REPORT_PARSERS: readonly ReportParser[] = [
  sarifParser,
  trivyJsonParser,
  grypeJsonParser,
  anchoreEngineParser,
  osvScannerParser,
  npmAuditParser,
  snykParser,
  gitlabSastParser,
  gitlabDependencyScanningParser,
  gitlabContainerScanningParser,
  cyclonedxParser,
  dependencyCheckXmlParser,
  dependencyCheckJsonParser,
  semgrepJsonParser,
  checkovJsonParser,
  zapXmlParser,
  zapJsonParser,
  humCanonicalParser,
];

export function parserFor(
  format: FormatId,
  parsers: readonly ReportParser[] = REPORT_PARSERS,
): ReportParser | undefined {
  return parsers.find((parser) => parser.format === format);
}
