import { readFileSync } from 'node:fs';
import type { ReportParseError } from '../../core/errors';
import type { ParsedFinding, ReportSource } from '../../core/types';
import { corpusEntries, corpusPath } from '../../../testing/corpus';
import {
  memorySource,
  parseCorpusFile,
  parseFailure,
  parseSource,
} from '../../../testing/parser-spec';
import { semgrepJsonParser } from './semgrep-json.parser';

const parse = (source: ReportSource): Promise<ParsedFinding[]> =>
  parseSource(semgrepJsonParser, source);
const parseFile = (relative: string): Promise<ParsedFinding[]> =>
  parseCorpusFile(semgrepJsonParser, relative);
const parseError = (text: string): Promise<ReportParseError> =>
  parseFailure(semgrepJsonParser, memorySource(text));

describe('Semgrep JSON parser on the corpus', () => {
  const entries = corpusEntries('semgrep');

  it('covers the four Semgrep files of the manifest', () => {
    expect(entries.map((e) => e.path).sort()).toEqual([
      'semgrep/empty.json',
      'semgrep/many_findings.json',
      'semgrep/one_finding.json',
      'semgrep/repeated_findings.json',
    ]);
  });

  // hum's parser yields every result; duplicates inside one report collapse later by fingerprint
  // (parseReport), which is where repeated_findings.json's two identical results become the
  // manifest's one (see pipeline.spec.ts).
  it.each([
    ['semgrep/empty.json', 0, 0],
    ['semgrep/one_finding.json', 1, 1],
    ['semgrep/many_findings.json', 3, 3],
    ['semgrep/repeated_findings.json', 2, 1],
  ] as const)('%s yields %d results (manifest: %d)', async (path, results, manifest) => {
    expect(entries.find((e) => e.path === path)?.expectedCount).toBe(String(manifest));
    const findings = await parseFile(path);
    expect(findings).toHaveLength(results);
    expect(
      semgrepJsonParser.detect(memorySource(readFileSync(corpusPath(path))).head),
    ).toBeGreaterThan(0);
  });

  it('one_finding: WARNING, file and line, CWE, rule, fix (manifest facts)', async () => {
    const [finding] = await parseFile('semgrep/one_finding.json');
    expect(finding).toMatchObject({
      kind: 'weakness',
      severity: { reported: 'WARNING', normalized: 'medium' },
      cwes: ['CWE-696'],
      rule: { id: 'java.lang.security.audit.cbc-padding-oracle.cbc-padding-oracle' },
      location: {
        path: 'src/main/java/org/owasp/benchmark/testcode/BenchmarkTest02194.java',
        startLine: 64,
        endLine: 64,
        startColumn: 4,
        endColumn: 83,
      },
      title: 'Using CBC with PKCS5Padding is susceptible to padding orcale attacks.',
      tool: { name: 'Semgrep' },
    });
    expect(finding!.description).toContain(
      'Suggested fix: javax crypto Cipher.getInstance("AES/GCM/NoPadding");',
    );
    expect(finding!.references).toEqual([
      'https://capec.mitre.org/data/definitions/463.html',
      'https://find-sec-bugs.github.io/bugs.htm#PADDING_ORACLE',
    ]);
  });

  it('many_findings: finding 0 medium at line 64, finding 2 INFO (low) at line 66 (manifest facts)', async () => {
    const findings = await parseFile('semgrep/many_findings.json');
    expect(findings[0]).toMatchObject({
      severity: { normalized: 'medium' },
      location: {
        path: 'src/main/java/org/owasp/benchmark/testcode/BenchmarkTest02194.java',
        startLine: 64,
      },
    });
    expect(findings[2]).toMatchObject({
      severity: { reported: 'INFO', normalized: 'low' },
      location: {
        path: 'src/main/java/org/owasp/benchmark/testcode/BenchmarkTest01150.java',
        startLine: 66,
      },
    });
  });

  it('repeated_findings: both results are medium at line 66 and share one fingerprint basis (manifest facts)', async () => {
    const [a, b] = await parseFile('semgrep/repeated_findings.json');
    expect(a).toMatchObject({
      severity: { normalized: 'medium' },
      location: {
        path: 'src/main/java/org/owasp/benchmark/testcode/BenchmarkTest01150.java',
        startLine: 66,
      },
    });
    expect(b!.fingerprintBasis).toEqual(a!.fingerprintBasis);
  });
});

describe('Semgrep JSON parser on other forms', () => {
  const scaResult = {
    check_id: 'ssc-parity-0ddf890152a281f12fd6d01c3953da8d88ce2e7b',
    path: 'go.mod',
    start: { line: 6, col: 1, offset: 0 },
    end: { line: 6, col: 1, offset: 0 },
    extra: {
      message:
        'Affected versions of github.com/gin-gonic/gin are vulnerable to Download of Code Without Integrity Check.',
      metadata: {
        cve: 'CVE-2023-29401',
        cwe: ['CWE-494: Download of Code Without Integrity Check'],
        ghsa: 'GHSA-2c4m-59x9-fr2g',
        references: ['https://github.com/advisories/GHSA-2c4m-59x9-fr2g'],
        'sca-fix-versions': [{ 'github.com/gin-gonic/gin': '1.9.1' }],
        'sca-severity': 'MODERATE',
        'sca-vuln-database-identifier': 'CVE-2023-29401',
      },
      severity: 'WARNING',
      lines: '\tgithub.com/gin-gonic/gin v1.6.3 // indirect',
      sca_info: {
        reachable: false,
        dependency_match: {
          dependency_pattern: {
            ecosystem: 'gomod',
            package: 'github.com/gin-gonic/gin',
            semver_range: '<1.9.1',
          },
          found_dependency: {
            package: 'github.com/gin-gonic/gin',
            version: '1.6.3',
            ecosystem: 'gomod',
            transitivity: 'transitive',
            lockfile_path: 'go.mod',
          },
          lockfile: 'go.mod',
        },
      },
    },
  };

  it('reads Supply Chain results as dependency findings with the advisory fix version', async () => {
    const [finding] = await parse(
      memorySource(JSON.stringify({ version: '1.122.0', results: [scaResult], errors: [] })),
    );
    expect(finding).toMatchObject({
      kind: 'vulnerability',
      vulnerability: { id: 'CVE-2023-29401', aliases: ['GHSA-2c4m-59x9-fr2g'] },
      severity: { reported: 'MODERATE', normalized: 'medium' },
      component: {
        name: 'github.com/gin-gonic/gin',
        version: '1.6.3',
        ecosystem: 'golang',
        purl: 'pkg:golang/github.com/gin-gonic/gin@1.6.3',
        fixedVersions: ['1.9.1'],
        path: 'go.mod',
      },
      tool: { name: 'Semgrep', version: '1.122.0' },
      fingerprintBasis: {
        kind: 'dependency',
        vulnerabilityId: 'CVE-2023-29401',
        packageId: 'pkg:golang/github.com/gin-gonic/gin',
      },
    });
    expect(
      finding!.title.startsWith('CVE-2023-29401 github.com/gin-gonic/gin 1.6.3: Affected versions'),
    ).toBe(true);
    expect(finding!.tags).toContain('transitive');
  });

  it('reads the platform API findings form (code and supply chain)', async () => {
    const api = {
      findings: [
        {
          id: 1,
          rule_name: 'ssc-1e99e462',
          rule_message: 'moment is vulnerable to ReDoS',
          severity: 'high',
          state: 'unresolved',
          match_based_id: 'cf89274a',
          location: {
            file_path: 'src/constants.tsx',
            line: 274,
            column: 37,
            end_line: 274,
            end_column: 62,
          },
          rule: {
            name: 'ssc-1e99e462',
            cwe_names: ['CWE-1333: Inefficient Regular Expression Complexity'],
          },
          vulnerability_identifier: 'CVE-2022-31129',
          found_dependency: {
            package: 'moment',
            version: '2.29.2',
            ecosystem: 'npm',
            transitivity: 'direct',
          },
          fix_recommendations: [{ package: 'moment', version: '2.29.4' }],
          reachability: 'reachable',
        },
        {
          id: 2,
          rule_name: 'javascript.lang.security.audit.eval',
          rule_message: 'Avoid eval.',
          severity: 'medium',
          state: 'unresolved',
          match_based_id: 'ffee',
          location: { file_path: 'src/a.js', line: 3 },
        },
        { id: 3, rule_name: 'x', rule_message: 'fixed one', severity: 'low', state: 'fixed' },
      ],
    };
    const source = memorySource(JSON.stringify(api));
    expect(semgrepJsonParser.detect(source.head)).toBeGreaterThan(0.5);
    const findings = await parse(source);
    expect(findings).toHaveLength(2);
    expect(findings[0]).toMatchObject({
      kind: 'vulnerability',
      vulnerability: { id: 'CVE-2022-31129' },
      component: {
        name: 'moment',
        version: '2.29.2',
        purl: 'pkg:npm/moment@2.29.2',
        fixedVersions: ['2.29.4'],
      },
      cwes: ['CWE-1333'],
      severity: { reported: 'high', normalized: 'high' },
    });
    expect(findings[1]).toMatchObject({
      kind: 'weakness',
      location: { path: 'src/a.js', startLine: 3 },
      fingerprintBasis: { kind: 'tool', value: 'ffee' },
    });
  });

  it('leaves out nosemgrep-ignored results and never keeps a secret line', async () => {
    const base = {
      check_id: 'generic.secrets.security.detected-aws-access-key',
      path: '.env',
      start: { line: 1 },
      end: { line: 1 },
    };
    const findings = await parse(
      memorySource(
        JSON.stringify({
          results: [
            {
              ...base,
              extra: {
                message: 'AWS key',
                severity: 'ERROR',
                lines: 'AWS_KEY=AKIAIOSFODNN7EXAMPLE',
              },
            },
            { ...base, extra: { message: 'ignored', severity: 'ERROR', is_ignored: true } },
          ],
          errors: [],
        }),
      ),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]!.kind).toBe('secret');
    expect(JSON.stringify(findings)).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });
});

describe('Semgrep JSON parser on malformed input', () => {
  it('rejects truncated JSON with the line and column', async () => {
    const text = readFileSync(corpusPath('semgrep/one_finding.json'), 'utf8');
    const error = await parseError(text.slice(0, 300));
    expect(error.format).toBe('semgrep-json');
    expect(error.message).toMatch(/unexpected end of input/);
    expect(error.location.line).toBe(text.slice(0, 300).split('\n').length);
  });

  it('rejects results that is not a list, and a result without check_id, at their pointers', async () => {
    expect((await parseError('{"results": {}, "errors": []}')).location.pointer).toBe('/results');
    const missing = await parseError('{"results": [{"path": "a"}], "errors": []}');
    expect(missing.location.pointer).toBe('/results/0/check_id');
  });

  it('rejects a line number that is not a number', async () => {
    const error = await parseError(
      '{"results": [{"check_id": "r", "path": "a", "start": {"line": "7"}}], "errors": []}',
    );
    expect(error.location.pointer).toBe('/results/0/start/line');
  });
});

describe('Semgrep fingerprint basis', () => {
  it('keeps identity across line moves and re-indentation', async () => {
    const result = (line: number, lines: string) => ({
      check_id: 'r',
      path: 'a.py',
      start: { line, col: 1 },
      end: { line, col: 9 },
      extra: { message: 'm', severity: 'ERROR', lines },
    });
    const [before] = await parse(
      memorySource(JSON.stringify({ results: [result(3, 'eval(x)')], errors: [] })),
    );
    const [after] = await parse(
      memorySource(JSON.stringify({ results: [result(30, '        eval(x)')], errors: [] })),
    );
    expect(after!.location?.startLine).toBe(30);
    expect(after!.fingerprintBasis).toEqual(before!.fingerprintBasis);
  });
});
