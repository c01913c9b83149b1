import type { AssetRef, FindingV1, ToolRef } from '@hum/contracts';

/** Every report format hum reads. `--format` takes these ids. */
export const FORMAT_IDS = [
  'sarif',
  'trivy-json',
  'grype-json',
  'anchore-engine',
  'osv-scanner',
  'npm-audit',
  'snyk',
  'gitlab-sast',
  'gitlab-dependency-scanning',
  'gitlab-container-scanning',
  'cyclonedx',
  'dependency-check-xml',
  'dependency-check-json',
  'semgrep-json',
  'checkov-json',
  'zap-xml',
  'zap-json',
  'hum-canonical',
] as const;
export type FormatId = (typeof FORMAT_IDS)[number];

/**
 * What a stable identity is made of, before the asset is mixed in. Never a line number:
 * code moves, the finding does not.
 */
export type FingerprintBasis =
  /** The scanner's own stable fingerprint (SARIF partialFingerprints / fingerprints). */
  | { kind: 'tool'; tool: string; ruleId: string; value: string }
  /** A vulnerable dependency: vulnerability id + package identity without its version. */
  | { kind: 'dependency'; vulnerabilityId: string; packageId: string }
  /** A code weakness or secret: rule + file + a normalised snippet or logical location. */
  | { kind: 'code'; tool: string; ruleId: string; path: string; anchor: string }
  /** A misconfigured resource or a web finding: rule + resource (IaC address, URL + parameter). */
  | { kind: 'resource'; tool: string; ruleId: string; resource: string };

/** A finding as a parser produces it: the gateway adds scan id, asset and time. */
export type ParsedFinding = Omit<FindingV1, 'fingerprint' | 'scanId' | 'asset' | 'detectedAt'> & {
  fingerprintBasis: FingerprintBasis;
};

export interface ReportSource {
  /** The first bytes of the report as text (up to {@link DETECTION_WINDOW_BYTES}), for detection. */
  readonly head: string;
  /** Size in bytes when known (after decompression). */
  readonly size: number | undefined;
  /** The whole report as a stream of chunks; each call starts from the beginning. */
  chunks(): AsyncIterable<Buffer>;
  /** The whole report as text, for formats parsed in one piece. */
  text(): Promise<string>;
}

export const DETECTION_WINDOW_BYTES = 64 * 1024;

export interface ParseOptions {
  /** Stop with an error instead of yielding more than this many findings. */
  maxFindings?: number;
  /**
   * Parsers that read their tool from the document (SARIF runs, GitLab's scanner, CycloneDX
   * metadata, hum canonical) announce it here, so a clean report with no findings still says
   * which tool's scope it is complete for.
   */
  onTool?: (tool: ToolRef) => void;
}

export interface ReportParser {
  readonly format: FormatId;
  /** Human name for messages, e.g. "Trivy JSON". */
  readonly displayName: string;
  /** The tool reports of this format come from, when the document does not name it. */
  readonly defaultTool?: ToolRef;
  /**
   * How sure the parser is, from content alone (never the file name), that `head` is its
   * format: 0 = not mine, 1 = certain. Detection picks the highest; ties are an error.
   */
  detect(head: string): number;
  parse(source: ReportSource, options: ParseOptions): AsyncIterable<ParsedFinding>;
}

/** Context the gateway or CLI knows about the scan; the report does not. */
export interface ScanContext {
  scanId: string;
  asset: AssetRef;
  detectedAt: string;
}
