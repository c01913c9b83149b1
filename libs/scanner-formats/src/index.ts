export * from './lib/core/types';
export * from './lib/core/errors';
export * from './lib/core/fingerprint';
export * from './lib/core/normalize';
export * from './lib/core/purl';
export * from './lib/core/json-pointer';
export { JsonFields } from './lib/core/json-fields';
export { isJsonObject, type JsonObject } from './lib/core/json-value';
export * from './lib/core/source';
export * from './lib/stream';
export * from './lib/pipeline/parse-report';
export * from './lib/pipeline/detect-format';
export * from './lib/pipeline/registry';
export { sarifParser } from './lib/formats/sarif/sarif.parser';
export { trivyJsonParser } from './lib/formats/trivy-json/trivy-json.parser';
export { semgrepJsonParser } from './lib/formats/semgrep-json/semgrep-json.parser';
export { humCanonicalParser } from './lib/formats/hum-canonical/hum-canonical.parser';
export { grypeJsonParser } from './lib/formats/grype-json/grype-json.parser';
export { anchoreEngineParser } from './lib/formats/anchore-engine/anchore-engine.parser';
export { osvScannerParser } from './lib/formats/osv-scanner/osv-scanner.parser';
export { npmAuditParser } from './lib/formats/npm-audit/npm-audit.parser';
export { snykParser } from './lib/formats/snyk/snyk.parser';
export { cyclonedxParser } from './lib/formats/cyclonedx/cyclonedx.parser';
export { gitlabSastParser } from './lib/formats/gitlab-sast/gitlab-sast.parser';
export { gitlabDependencyScanningParser } from './lib/formats/gitlab-dependency-scanning/gitlab-dependency-scanning.parser';
export { gitlabContainerScanningParser } from './lib/formats/gitlab-container-scanning/gitlab-container-scanning.parser';
export { dependencyCheckXmlParser } from './lib/formats/dependency-check-xml/dependency-check-xml.parser';
export { dependencyCheckJsonParser } from './lib/formats/dependency-check-json/dependency-check-json.parser';
export { checkovJsonParser } from './lib/formats/checkov-json/checkov-json.parser';
export { zapXmlParser } from './lib/formats/zap-xml/zap-xml.parser';
export { zapJsonParser } from './lib/formats/zap-json/zap-json.parser';
export {
  HUM_REPORT_V1,
  HumFindingSchema,
  HumReportSchema,
  FingerprintBasisSchema,
} from './lib/formats/hum-canonical/hum-report.schema';
export type { HumFinding } from './lib/formats/hum-canonical/hum-report.schema';
