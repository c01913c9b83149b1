import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FindingV1 } from '@hum/contracts';
import type { ReportParseError } from '../../core/errors';
import type { ParsedFinding } from '../../core/types';
import { parseReport } from '../../pipeline/parse-report';
import { corpusPath } from '../../../testing/corpus';
import { memorySource, parseFailure, parseText } from '../../../testing/parser-spec';
import { humCanonicalParser } from './hum-canonical.parser';

const parse = (text: string): Promise<ParsedFinding[]> => parseText(humCanonicalParser, text);
const parseError = (text: string): Promise<ReportParseError> =>
  parseFailure(humCanonicalParser, text);

const context = {
  scanId: '3f1b6f5e-8a53-4a5e-9f7e-0d5b8c7a1e21',
  asset: { id: 'payments-api', type: 'repository' as const },
  detectedAt: '2024-05-01T10:00:00Z',
};

const report = (
  findings: unknown[],
  tool: object = { name: 'in-house-scanner', version: '3.2' },
): string => JSON.stringify({ hum: 'report/v1', tool, findings });

describe('hum canonical parser', () => {
  it('is detected only by its marker', () => {
    expect(humCanonicalParser.detect(report([]))).toBe(1);
    expect(humCanonicalParser.detect('{"hum": "report/v2", "findings": []}')).toBe(0);
    expect(humCanonicalParser.detect('{"tool": {"name": "x"}, "findings": []}')).toBe(0);
  });

  it('reads findings, fills lists and tool, and derives the fingerprint basis when none is given', async () => {
    const findings = await parse(
      report([
        {
          kind: 'vulnerability',
          title: 'CVE-2022-31129 in moment',
          severity: { reported: 'HIGH', normalized: 'high' },
          vulnerability: { id: 'CVE-2022-31129', aliases: [] },
          component: {
            name: 'moment',
            version: '2.29.2',
            purl: 'pkg:npm/moment@2.29.2',
            fixedVersions: ['2.29.4'],
          },
        },
        {
          kind: 'weakness',
          title: 'eval of user input',
          rule: { id: 'no-eval' },
          severity: { normalized: 'medium' },
          location: { path: 'src/a.ts', startLine: 3, snippet: '  eval(input)' },
          tool: { name: 'eslint' },
          somethingNew: 'ignored',
        },
        {
          kind: 'misconfiguration',
          title: 'Bucket is public',
          rule: { id: 'S3-001' },
          severity: { normalized: 'high' },
          location: { path: 'main.tf', logical: 'aws_s3_bucket.logs' },
          fingerprintBasis: {
            kind: 'resource',
            tool: 'in-house-scanner',
            ruleId: 'S3-001',
            resource: 'aws_s3_bucket.logs',
          },
        },
      ]),
    );
    expect(findings).toHaveLength(3);
    expect(findings[0]).toMatchObject({
      cvss: [],
      cwes: [],
      references: [],
      tags: [],
      tool: { name: 'in-house-scanner', version: '3.2' },
      fingerprintBasis: {
        kind: 'dependency',
        vulnerabilityId: 'CVE-2022-31129',
        packageId: 'pkg:npm/moment',
      },
    });
    expect(findings[1]!.tool).toEqual({ name: 'eslint' });
    expect(findings[1]!.fingerprintBasis).toEqual({
      kind: 'code',
      tool: 'eslint',
      ruleId: 'no-eval',
      path: 'src/a.ts',
      anchor: 'eval(input)',
    });
    expect(findings[1]).not.toHaveProperty('somethingNew');
    expect(findings[2]!.fingerprintBasis).toEqual({
      kind: 'resource',
      tool: 'in-house-scanner',
      ruleId: 'S3-001',
      resource: 'aws_s3_bucket.logs',
    });
  });

  it('reads back what parseReport produced (Finding v1 with fingerprint, scan and asset) to the same fingerprints', async () => {
    const original: FindingV1[] = [];
    const parsed = parseReport(
      memorySource(readFileSync(corpusPath('trivy/scheme_2_many_vulns.json'))),
      { context },
    );
    for await (const finding of parsed.findings) original.push(finding);
    const again: FindingV1[] = [];
    const reread = parseReport(memorySource(report(original, { name: 'Trivy' })), { context });
    expect(reread.format).toBe('hum-canonical');
    for await (const finding of reread.findings) again.push(finding);
    expect(again).toEqual(original);
  });

  it('reads a document whose findings come before the tool', async () => {
    const text = `{"findings": [{"kind": "weakness", "title": "t", "severity": {"normalized": "low"}}], "hum": "report/v1", "tool": {"name": "late"}}`;
    const findings = await parse(text);
    expect(findings[0]!.tool).toEqual({ name: 'late' });
  });

  it('rejects an invalid finding at the pointer of the bad field', async () => {
    const error = await parseError(
      report([{ kind: 'weakness', title: 't', severity: { normalized: 'severe' } }]),
    );
    expect(error.format).toBe('hum-canonical');
    expect(error.location.pointer).toBe('/findings/0/severity/normalized');
  });

  it('rejects an unknown field inside a nested object (a typo would lose data)', async () => {
    const error = await parseError(
      report([
        {
          kind: 'weakness',
          title: 't',
          severity: { normalized: 'low' },
          component: { name: 'x', fixed_versions: [] },
        },
      ]),
    );
    expect(error.location.pointer).toMatch(/^\/findings\/0\/component/);
  });

  it('rejects another report version, a missing marker and a missing tool', async () => {
    expect(
      (await parseError('{"hum": "report/v9", "tool": {"name": "x"}, "findings": []}')).location
        .pointer,
    ).toBe('/hum');
    expect((await parseError('{"tool": {"name": "x"}, "findings": []}')).location.pointer).toBe(
      '/hum',
    );
    expect(
      (
        await parseError(
          '{"hum": "report/v1", "findings": [{"kind": "weakness", "title": "t", "severity": {"normalized": "low"}}]}',
        )
      ).location.pointer,
    ).toBe('/tool');
  });

  it('rejects truncated JSON with line and column', async () => {
    const text = report([{ kind: 'weakness', title: 't', severity: { normalized: 'low' } }]).slice(
      0,
      60,
    );
    const error = await parseError(text);
    expect(error.message).toMatch(/unexpected end of input/);
    expect(error.location).toMatchObject({ line: 1, column: 61 });
  });
});

describe('the example in docs/formats.md', () => {
  it('is a valid hum report', async () => {
    const docs = readFileSync(path.resolve(__dirname, '../../../../../../docs/formats.md'), 'utf8');
    const section = docs.slice(docs.indexOf('## hum canonical JSON'));
    const example = /```json\n([\s\S]*?)\n```/.exec(section)![1]!;
    const findings = await parse(example);
    expect(findings.map((f) => [f.kind, f.tool, f.fingerprintBasis.kind])).toEqual([
      ['vulnerability', { name: 'in-house-scanner', version: '3.2' }, 'dependency'],
      ['weakness', { name: 'in-house-scanner', version: '3.2' }, 'tool'],
    ]);
    expect(findings[0]!.fingerprintBasis).toEqual({
      kind: 'dependency',
      vulnerabilityId: 'CVE-2022-31129',
      packageId: 'pkg:npm/moment',
    });
  });
});
