import { EXAMPLE_FINDING, findingConforms } from '@hum/contracts';
import { ReportParseError } from '../core/errors';
import { sourceFromFile } from '../core/source';
import type { FormatId } from '../core/types';
import { corpusManifest, corpusPath } from '../../testing/corpus';
import { detectFormat } from './detect-format';
import { parseReport } from './parse-report';

/** The manifest's folder names -> hum's format ids (a folder may hold XML and JSON). */
function expectedFormat(folder: string, path: string): FormatId {
  const byExtension = path.endsWith('.xml') ? 'xml' : 'json';
  switch (folder) {
    case 'trivy':
      return 'trivy-json';
    case 'grype':
      return 'grype-json';
    case 'npm-audit-v1':
    case 'npm-audit-v2':
      return 'npm-audit';
    case 'semgrep':
      return 'semgrep-json';
    case 'checkov':
      return 'checkov-json';
    case 'dependency-check':
      return `dependency-check-${byExtension}`;
    case 'zap':
      return `zap-${byExtension}`;
    default:
      return folder as FormatId;
  }
}

const context = {
  scanId: EXAMPLE_FINDING.scanId,
  asset: { id: 'corpus-asset', type: 'repository' as const },
  detectedAt: '2026-11-27T00:00:00.000Z',
};

const reports = corpusManifest().filter((entry) => entry.format !== 'api-spec');

/**
 * Deliberate rules (docs/formats.md): a scanner's error output is not a clean scan, so it is
 * rejected rather than read as "no findings" (which would resolve every open finding); a
 * SARIF log without runs names no tool, so it is complete for no scope.
 */
const REJECTED: Record<string, RegExp> = {
  'npm-audit-v1/empty_with_error.json': /npm audit report contains errors: ENOAUDIT/,
};
const NO_TOOL = new Set(['sarif/no_runs.sarif']);

describe('every report of the corpus, through the whole pipeline', () => {
  it('covers every format hum reads', () => {
    const formats = new Set(reports.map((r) => expectedFormat(r.format, r.path)));
    expect(formats.size).toBeGreaterThanOrEqual(17);
  });

  it.each(reports.map((r) => [r.path, r]))('%s is detected and parsed', async (_path, entry) => {
    const source = await sourceFromFile(corpusPath(entry.path));
    if (source.size === 0) {
      // osv-scanner writes nothing when it finds nothing: no content, no detection.
      expect(() => detectFormat(source.head)).toThrow(ReportParseError);
      return;
    }
    const format = expectedFormat(entry.format, entry.path);
    expect(detectFormat(source.head).format).toBe(format);
    const report = parseReport(source, { context });
    const rejected = REJECTED[entry.path];
    if (rejected) {
      await expect(
        (async () => {
          for await (const _ of report.findings) continue;
        })(),
      ).rejects.toThrow(rejected);
      return;
    }
    let count = 0;
    for await (const finding of report.findings) {
      expect(finding.asset.id).toBe('corpus-asset');
      // Through JSON, as a consumer gets it: decodeEvent keeps it as it is, without zod's copy.
      expect(findingConforms(JSON.parse(JSON.stringify(finding)))).toBe(true);
      count += 1;
    }
    const summary = report.summary();
    expect(summary.count).toBe(count);
    // Even a clean report names its tool: it is complete for that tool's scope.
    if (NO_TOOL.has(entry.path)) expect(summary.tools).toEqual([]);
    else expect(summary.tools.length).toBeGreaterThan(0);
  });

  it('reads an empty osv-scanner output as a clean scan when the format is named', async () => {
    const empty = reports.find(
      (r) => r.format === 'osv-scanner' && r.path.endsWith('no_findings.json'),
    )!;
    const report = parseReport(await sourceFromFile(corpusPath(empty.path)), {
      format: 'osv-scanner',
      context,
    });
    for await (const _ of report.findings) throw new Error('no findings expected');
    expect(report.summary().tools.map((t) => t.name)).toEqual(['osv-scanner']);
  });
});
