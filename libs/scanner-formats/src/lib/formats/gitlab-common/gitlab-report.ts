import type { ToolRef } from '@hum/contracts';
import { ReportParseError } from '../../core/errors';
import { FindingLimit } from '../../core/finding-limit';
import { truncate } from '../../core/normalize';
import { readWithSchema } from '../../core/read-with-schema';
import type {
  FormatId,
  ParseOptions,
  ParsedFinding,
  ReportParser,
  ReportSource,
} from '../../core/types';
import { parseJsonText } from '../../stream/json-stream';
import { classifyGitlabHead, toGitlabScanType, type GitlabScanType } from './gitlab-detect';
import { packageTypeForManager } from './gitlab-ecosystem';
import {
  mapGitlabCodeFinding,
  mapGitlabDependencyFinding,
  type GitlabReportContext,
} from './gitlab-finding';
import { GitlabReportHeader, GitlabVulnerability } from './gitlab-schema';

/** How one of the three GitLab formats differs from the others. */
export interface GitlabFormatProfile {
  readonly format: FormatId;
  readonly displayName: string;
  /** The `scan.type` values this format reads. */
  readonly accepts: readonly GitlabScanType[];
  /** Code findings (SAST, secrets) or dependency findings (dependency and container scanning). */
  readonly mapping: 'code' | 'dependency';
}

function scannerTool(
  scanner: { name?: string | null; version?: string | null } | null | undefined,
): ToolRef | undefined {
  const name = truncate(scanner?.name, 100);
  if (!name) return undefined;
  const version = truncate(scanner?.version, 100);
  return version ? { name, version } : { name };
}

/** Builds a ReportParser for one GitLab format: detection and the walk are shared. */
export function gitlabParser(profile: GitlabFormatProfile): ReportParser {
  return {
    format: profile.format,
    displayName: profile.displayName,
    detect(head: string): number {
      const found = classifyGitlabHead(head);
      return found && profile.accepts.includes(found.type) ? found.confidence : 0;
    },
    defaultTool: { name: profile.displayName },
    parse: (source: ReportSource, options: ParseOptions) =>
      parseGitlabReport(source, options, profile),
  };
}

async function* parseGitlabReport(
  source: ReportSource,
  options: ParseOptions,
  profile: GitlabFormatProfile,
): AsyncGenerator<ParsedFinding> {
  const { format } = profile;
  const header = readWithSchema(
    GitlabReportHeader,
    parseJsonText(await source.text(), format),
    format,
    '',
  );
  const scanType = header.scan?.type?.trim() || undefined;
  if (scanType !== undefined && !profile.accepts.includes(toGitlabScanType(scanType))) {
    throw new ReportParseError(
      format,
      `this is a GitLab "${scanType}" report, not ${profile.displayName}`,
      {
        pointer: '/scan/type',
      },
    );
  }
  const packageTypes = new Map<string, string>();
  for (const file of header.dependency_files ?? []) {
    const type = packageTypeForManager(file.package_manager);
    if (file.path && type) packageTypes.set(file.path, type);
  }
  const reportTool = scannerTool(header.scan?.scanner) ?? scannerTool(header.scan?.analyzer);
  if (reportTool !== undefined) options.onTool?.(reportTool);
  const map = profile.mapping === 'code' ? mapGitlabCodeFinding : mapGitlabDependencyFinding;
  const limit = new FindingLimit(format, options.maxFindings);
  for (let index = 0; index < header.vulnerabilities.length; index += 1) {
    const pointer = `/vulnerabilities/${index}`;
    const vulnerability = readWithSchema(
      GitlabVulnerability,
      header.vulnerabilities[index],
      format,
      pointer,
    );
    // Reports before schema 3 name the scanner on each vulnerability instead of in `scan`.
    const tool = reportTool ?? scannerTool(vulnerability.scanner) ?? { name: profile.displayName };
    const context: GitlabReportContext = { tool, scanType, packageTypes };
    limit.take({ pointer });
    yield map(vulnerability, context);
  }
}
