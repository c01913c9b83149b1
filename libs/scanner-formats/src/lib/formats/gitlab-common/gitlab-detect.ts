/** `scan.type` values of GitLab security reports; hum reads the first five. */
export type GitlabScanType =
  | 'sast'
  | 'secret_detection'
  | 'dependency_scanning'
  | 'container_scanning'
  | 'cluster_image_scanning'
  | 'other';

const SCAN_TYPES =
  /"type"\s*:\s*"(sast|secret_detection|dependency_scanning|container_scanning|cluster_image_scanning|dast|api_fuzzing|coverage_fuzzing)"/;
const CATEGORIES =
  /"category"\s*:\s*"(sast|secret_detection|dependency_scanning|container_scanning|cluster_image_scanning|dast|api_fuzzing|coverage_fuzzing)"/;
const SCHEMA_URL =
  /"schema"\s*:\s*"[^"]*gitlab[^"]*\/(sast|secret-detection|dependency-scanning|container-scanning|cluster-image-scanning|dast|api-fuzzing|coverage-fuzzing)-report-format/;
const VULNERABILITY_LIST = /"vulnerabilities"\s*:\s*\[/;
const REMEDIATION_LIST = /"remediations"\s*:\s*\[/;
const SCAN_WITH_SCANNER = /"scan"\s*:\s*\{[^]*?"scanner"\s*:\s*\{/;
const IDENTIFIER_LIST = /"identifiers"\s*:\s*\[\s*\{/;
const LOCATION_OBJECT = /"location"\s*:\s*\{/;
const OS_LOCATION = /"operating_system"\s*:\s*"/;
const NAMED_DEPENDENCY = /"dependency"\s*:\s*\{\s*"package"\s*:\s*\{\s*"name"\s*:/;
const DAST_LOCATION = /"hostname"\s*:\s*"/;
// Keys that belong to other formats which also carry a `vulnerabilities` array.
const FOREIGN_KEYS =
  /"(?:bomFormat|packageManager|SchemaVersion|ArtifactName|imageDigest|matches|runs|reportSchema|results)"\s*:/;

export interface GitlabHeadClass {
  type: GitlabScanType;
  confidence: number;
}

/** A `scan.type` (or schema-URL word such as `dependency-scanning`) as a {@link GitlabScanType}. */
export function toGitlabScanType(word: string): GitlabScanType {
  const type = word.trim().toLowerCase().replace(/-/g, '_');
  switch (type) {
    case 'sast':
    case 'secret_detection':
    case 'dependency_scanning':
    case 'container_scanning':
    case 'cluster_image_scanning':
      return type;
    default:
      return 'other';
  }
}

/**
 * Recognises a GitLab security report from its first bytes and says which kind it is.
 * `scan.type` (or the schema URL) settles it; older reports are told apart by their
 * locations; a report with neither is taken as SAST, the oldest and most common kind.
 */
export function classifyGitlabHead(head: string): GitlabHeadClass | undefined {
  if (!VULNERABILITY_LIST.test(head) || FOREIGN_KEYS.test(head)) return undefined;
  const declared = SCAN_TYPES.exec(head) ?? SCHEMA_URL.exec(head);
  const gitlabShaped =
    declared !== null ||
    REMEDIATION_LIST.test(head) ||
    SCAN_WITH_SCANNER.test(head) ||
    (IDENTIFIER_LIST.test(head) && LOCATION_OBJECT.test(head));
  if (!gitlabShaped) return undefined;
  if (declared) return { type: toGitlabScanType(declared[1]!), confidence: 0.95 };
  const category = CATEGORIES.exec(head);
  if (category) return { type: toGitlabScanType(category[1]!), confidence: 0.9 };
  if (OS_LOCATION.test(head)) return { type: 'container_scanning', confidence: 0.7 };
  if (NAMED_DEPENDENCY.test(head)) return { type: 'dependency_scanning', confidence: 0.7 };
  if (DAST_LOCATION.test(head)) return { type: 'other', confidence: 0.6 };
  return { type: 'sast', confidence: 0.5 };
}
