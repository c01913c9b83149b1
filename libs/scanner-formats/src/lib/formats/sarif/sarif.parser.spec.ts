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
import { sarifParser } from './sarif.parser';

const parse = (source: ReportSource): Promise<ParsedFinding[]> => parseSource(sarifParser, source);
const parseFile = (relative: string): Promise<ParsedFinding[]> =>
  parseCorpusFile(sarifParser, relative);
const parseError = (text: string): Promise<ReportParseError> =>
  parseFailure(sarifParser, memorySource(text, 5));

const sarif = (run: object): string => JSON.stringify({ version: '2.1.0', runs: [run] });

describe('SARIF parser on the corpus', () => {
  const entries = corpusEntries('sarif');

  it('covers the 13 SARIF files of the manifest', () => {
    expect(entries).toHaveLength(13);
  });

  // hum yields one finding per location, and one for a result without locations: the manifest's
  // counts (DefectDojo's per-location rule, SecObserve's per-result counts on single-location
  // files) all agree with that rule, mobsfscan.json included (9 results, 18 locations).
  it.each(entries.map((entry) => [entry.path, Number(entry.expectedCount)] as const))(
    '%s yields the manifest count (%d)',
    async (path, expected) => {
      const findings = await parseFile(path);
      expect(findings).toHaveLength(expected);
      expect(sarifParser.detect(memorySource(readFileSync(corpusPath(path))).head)).toBeGreaterThan(
        0,
      );
    },
  );

  it('mobsfscan: 9 results with 18 locations become 18 findings, each with its own identity', async () => {
    const findings = await parseFile('sarif/mobsfscan.json');
    const logging = findings.filter((f) => f.rule?.id === 'android_logging');
    expect(logging).toHaveLength(8);
    expect(new Set(logging.map((f) => JSON.stringify(f.fingerprintBasis))).size).toBe(8);
    expect(logging[0]!.cwes).toEqual(['CWE-532']);
    expect(logging[0]!.severity).toEqual({ reported: 'note', normalized: 'low' });
  });

  it('gitleaks: secrets at their files and lines, with the secret itself nowhere (manifest facts)', async () => {
    const findings = await parseFile('sarif/gitleaks_7.5.0.sarif');
    expect(findings[0]).toMatchObject({
      kind: 'secret',
      title: 'AWS Access Key secret detected',
      severity: { normalized: 'medium' },
      location: {
        path: 'dojo/unittests/scans/gitlab_secret_detection_report/gitlab_secret_detection_report_1_vuln.json',
        startLine: 13,
      },
      tool: { name: 'Gitleaks', version: 'v7.4.0' },
    });
    expect(findings[3]).toMatchObject({
      title: 'AWS Access Key secret detected',
      location: {
        path: 'dojo/unittests/scans/gitlab_secret_detection_report/gitlab_secret_detection_report_3_vuln.json',
        startLine: 44,
      },
    });
    expect(findings[7]!.location).toMatchObject({
      path: 'dojo/unittests/tools/test_gitlab_secret_detection_report_parser.py',
      startLine: 37,
    });
    const everything = JSON.stringify(findings);
    expect(everything).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(findings[0]!.location?.snippet).toBe('      "raw_source_code_extract": "<redacted>",');
  });

  it('cxf (Grype): severity from the numeric security-severity (manifest facts)', async () => {
    const findings = await parseFile('sarif/cxf-3.4.6.sarif');
    expect(findings[0]!.severity).toEqual({ reported: '2.1', normalized: 'low' });
    expect(findings[6]!.severity).toEqual({ reported: '7.8', normalized: 'high' });
    expect(findings[0]!.vulnerability?.id).toBe('CVE-2008-0732');
    expect(findings[0]!.component).toMatchObject({
      name: 'geronimo-j2ee-management_1.1_spec',
      version: '1.0.1',
      ecosystem: 'maven',
      fixedVersions: [],
    });
    expect(findings[0]!.fingerprintBasis).toEqual({
      kind: 'dependency',
      vulnerabilityId: 'CVE-2008-0732',
      packageId: 'maven/geronimo-j2ee-management_1.1_spec',
    });
  });

  it('dependency_check (6.1.2): file URIs become paths, CVE from the rule id (manifest facts)', async () => {
    const findings = await parseFile('sarif/dependency_check.sarif');
    // DefectDojo keeps the URI `file:////src/...`; hum keeps the path it names.
    expect(findings[0]!.location?.path).toBe(
      '/src/.venv/lib/python3.9/site-packages/tastypie_swagger/static/tastypie_swagger/js/lib/handlebars-1.0.0.js',
    );
    const jquery = findings[6]!;
    expect(jquery.title.startsWith('CVE-2019-11358 - jQuery before 3.4.0')).toBe(true);
    expect(jquery.severity).toEqual({ reported: 'error', normalized: 'high' });
    expect(jquery.vulnerability?.id).toBe('CVE-2019-11358');
    expect(jquery.kind).toBe('vulnerability');
    // The CVSS metrics written one per property are rebuilt as vectors.
    expect(jquery.cvss).toEqual([
      {
        version: '3.0',
        vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N',
        reportedScore: 6.1,
        source: 'NVD',
      },
      { version: '2.0', vector: 'AV:N/AC:M/Au:N/C:N/I:P/A:N', reportedScore: 4.3, source: 'NVD' },
    ]);
  });

  it('dependency-check (8.0.1): purl from the logical location, CVSS v3 and v4 (manifest facts)', async () => {
    const [bcel, quarkus] = await parseFile('sarif/dependency-check.sarif');
    expect(bcel!.tool).toEqual({ name: 'dependency-check', version: '8.0.1' });
    expect(bcel!.vulnerability?.id).toBe('CVE-2022-42920');
    expect(bcel!.component).toMatchObject({
      name: 'org.apache.bcel:bcel',
      version: '6.5.0',
      purl: 'pkg:maven/org.apache.bcel/bcel@6.5.0',
      ecosystem: 'maven',
    });
    expect(bcel!.cvss).toEqual([
      {
        version: '3.1',
        vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        reportedScore: 9.8,
        source: 'NVD',
      },
    ]);
    expect(bcel!.severity).toEqual({ reported: '9.8', normalized: 'critical' });
    expect(bcel!.fingerprintBasis).toEqual({
      kind: 'dependency',
      vulnerabilityId: 'CVE-2022-42920',
      packageId: 'pkg:maven/org.apache.bcel/bcel',
    });
    expect(quarkus!.vulnerability?.id).toBe('CVE-2023-0044');
    expect(quarkus!.cvss).toEqual([
      {
        version: '4.0',
        vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:L/VA:L/SC:L/SI:L/SA:N',
        reportedScore: 8.8,
        source: 'OSSINDEX',
      },
    ]);
  });

  it('dockle: results without locations; levels error and note (manifest facts)', async () => {
    const findings = await parseFile('sarif/dockle_0_3_15.sarif');
    expect(findings.map((f) => [f.rule?.id, f.severity.reported, f.severity.normalized])).toEqual([
      ['CIS-DI-0010', 'error', 'high'],
      // DefectDojo reads note as Info; hum reads it as SARIF's mildest problem level, low.
      ['CIS-DI-0005', 'note', 'low'],
      ['CIS-DI-0006', 'note', 'low'],
      ['CIS-DI-0008', 'note', 'low'],
    ]);
    expect(findings[0]!.kind).toBe('misconfiguration');
    expect(findings[0]!.location).toEqual({});
    expect(findings[0]!.title).toBe('Do not store credential in ENVIRONMENT vars/files');
  });

  it('bandit: no level means warning (medium); the rule name is kept (manifest facts)', async () => {
    const [first] = await parseFile('sarif/bandit.sarif');
    expect(first!.tool).toEqual({ name: 'Bandit' });
    // SecObserve titles this finding by the rule name; hum titles it by the message and keeps
    // the name on the rule.
    expect(first!.rule).toMatchObject({ id: 'B104', name: 'hardcoded_bind_all_interfaces' });
    expect(first!.title).toBe('Possible binding to all interfaces.');
    expect(first!.location).toMatchObject({
      path: 'backend/config/settings/dist.py',
      startLine: 14,
    });
    expect(first!.severity.normalized).toBe('medium');
    expect(first!.kind).toBe('weakness');
  });

  it('checkov: title from the rule, lines 1-41, error is high (manifest facts)', async () => {
    const [first] = await parseFile('sarif/checkov.sarif');
    expect(first!.tool).toEqual({ name: 'Checkov', version: '2.1.277' });
    expect(first!.title).toBe(
      'Ensure that HEALTHCHECK instructions have been added to container images',
    );
    expect(first!.rule?.id).toBe('CKV_DOCKER_2');
    expect(first!.location).toMatchObject({
      path: 'frontend/docker/Dockerfile',
      startLine: 1,
      endLine: 41,
    });
    expect(first!.severity).toEqual({ reported: 'error', normalized: 'high' });
    expect(first!.kind).toBe('misconfiguration');
  });

  it('semgrep 1.16: rule id, lines 27-33, warning is medium, tool fingerprint (manifest facts)', async () => {
    const [first] = await parseFile('sarif/semgrep.sarif');
    expect(first!.tool).toEqual({ name: 'semgrep', version: '1.16.0' });
    // SecObserve titles by rule id; hum keeps it as the rule id and titles by the rule's text.
    expect(first!.rule?.id).toBe(
      'typescript.react.portability.i18next.jsx-not-internationalized.jsx-not-internationalized',
    );
    expect(first!.location).toMatchObject({
      path: 'frontend/src/access_control/AADSignInButton.tsx',
      startLine: 27,
      endLine: 33,
    });
    expect(first!.severity).toEqual({ reported: 'warning', normalized: 'medium' });
    expect(first!.fingerprintBasis.kind).toBe('tool');
  });

  it('semgrep 1.69 (issue_10191): security-severity written as a word is read as one', async () => {
    const findings = await parseFile('sarif/issue_10191.json');
    const words = new Set(findings.map((f) => `${f.severity.reported}->${f.severity.normalized}`));
    for (const word of words)
      expect(['MEDIUM->medium', 'HIGH->high', 'CRITICAL->critical']).toContain(word);
    expect(words.size).toBeGreaterThan(1);
    expect(findings.every((f) => f.cwes.length > 0)).toBe(true);
  });

  it('trivy config: title, lines 164-176, security-severity 5.5 (manifest facts)', async () => {
    const [first] = await parseFile('sarif/trivy_config.sarif');
    expect(first!.tool).toEqual({ name: 'Trivy', version: '0.47.0' });
    expect(first!.title).toBe('Ensure that the expiration date is set on all keys');
    expect(first!.rule?.id).toBe('AVD-AZU-0014');
    expect(first!.location).toMatchObject({
      path: 'modules/azure-cosmosdb/main.tf',
      startLine: 164,
      endLine: 176,
    });
    expect(first!.severity).toEqual({ reported: '5.5', normalized: 'medium' });
    expect(first!.kind).toBe('misconfiguration');
    expect(first!.tags).toEqual(['misconfiguration', 'security']);
  });
});

describe('SARIF parser rules', () => {
  const tool = {
    driver: { name: 'CodeScanner', rules: [{ id: 'R1', shortDescription: { text: 'Rule one' } }] },
  };
  const result = (extra: object = {}) => ({
    ruleId: 'R1',
    message: { text: 'found it' },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: 'src/a.ts' },
          region: { startLine: 3, snippet: { text: 'eval(x)' } },
        },
      },
    ],
    ...extra,
  });

  it('leaves out passed checks, suppressed results and results marked absent', async () => {
    const findings = await parse(
      memorySource(
        sarif({
          tool,
          results: [
            result(),
            result({ kind: 'pass' }),
            result({ kind: 'notApplicable' }),
            result({ suppressions: [{ kind: 'inSource' }] }),
            result({ suppressions: [{ kind: 'external', status: 'rejected' }] }),
            result({ baselineState: 'absent' }),
            result({ kind: 'review' }),
          ],
        }),
      ),
    );
    expect(findings).toHaveLength(3);
  });

  it('reads rules from extensions by rule.toolComponent.index (CodeQL)', async () => {
    const findings = await parse(
      memorySource(
        sarif({
          tool: {
            driver: { name: 'CodeQL', rules: [] },
            extensions: [
              {
                name: 'codeql/js-queries',
                rules: [
                  {
                    id: 'js/xss',
                    shortDescription: { text: 'Client-side XSS' },
                    properties: {
                      tags: ['security', 'external/cwe/cwe-079'],
                      'security-severity': '6.1',
                    },
                  },
                ],
              },
            ],
          },
          results: [
            {
              rule: { id: 'js/xss', index: 0, toolComponent: { index: 0 } },
              message: { text: 'XSS' },
              partialFingerprints: { primaryLocationLineHash: 'abc:1' },
              locations: [
                {
                  physicalLocation: { artifactLocation: { uri: 'a.js' }, region: { startLine: 9 } },
                },
              ],
            },
          ],
        }),
      ),
    );
    expect(findings[0]).toMatchObject({
      title: 'Client-side XSS',
      cwes: ['CWE-79'],
      severity: { reported: '6.1', normalized: 'medium' },
      tags: ['security'],
      fingerprintBasis: {
        kind: 'tool',
        tool: 'CodeQL',
        ruleId: 'js/xss',
        value: 'primaryLocationLineHash=abc:1',
      },
    });
  });

  it('reads a key-sorted log whose results come before the tool', async () => {
    const text = `{"runs": [{"results": [${JSON.stringify(result())}], "tool": ${JSON.stringify(tool)}}], "version": "2.1.0"}`;
    const findings = await parse(memorySource(text, 16));
    expect(findings).toHaveLength(1);
    expect(findings[0]!.title).toBe('Rule one');
    expect(findings[0]!.tool.name).toBe('CodeScanner');
  });

  it('takes locations given by artifact index and message strings given by id', async () => {
    const findings = await parse(
      memorySource(
        sarif({
          tool: {
            driver: {
              name: 'T',
              rules: [{ id: 'R', messageStrings: { default: { text: 'Variable {0} is unused' } } }],
            },
          },
          artifacts: [{ location: { uri: 'lib/x.py' } }],
          results: [
            {
              ruleId: 'R',
              message: { id: 'default', arguments: ['foo'] },
              locations: [
                { physicalLocation: { artifactLocation: { index: 0 }, region: { startLine: 2 } } },
              ],
            },
          ],
        }),
      ),
    );
    expect(findings[0]!.title).toBe('Variable foo is unused');
    expect(findings[0]!.location?.path).toBe('lib/x.py');
  });
});

describe('SARIF parser on malformed input', () => {
  it('rejects runs that is an object, at its pointer', async () => {
    const error = await parseError('{"version": "2.1.0", "runs": {}}');
    expect(error.format).toBe('sarif');
    expect(error.location.pointer).toBe('/runs');
    expect(error.message).toMatch(/expected array or null, found object/);
  });

  it('rejects a result field of the wrong type, at its pointer', async () => {
    const error = await parseError(
      sarif({ tool: { driver: { name: 'x' } }, results: [{ ruleId: 'a', locations: 'here' }] }),
    );
    expect(error.location.pointer).toBe('/runs/0/results/0/locations');
  });

  it('rejects a SARIF version other than 2.1.0', async () => {
    const error = await parseError('{"version": "2.0.0", "runs": []}');
    expect(error.location.pointer).toBe('/version');
    expect(error.message).toMatch(/hum reads SARIF 2.1.0/);
  });

  it('rejects a truncated log with the line where it ends', async () => {
    const text = readFileSync(corpusPath('sarif/checkov.sarif'), 'utf8');
    const cut = text.slice(0, Math.floor(text.length * 0.7));
    const error = await parseError(cut);
    expect(error.message).toMatch(/unexpected end of input/);
    expect(error.location.line).toBe(cut.split('\n').length);
  });

  it('rejects results without a tool', async () => {
    const error = await parseError(
      '{"version": "2.1.0", "runs": [{"results": [{"ruleId": "x"}]}]}',
    );
    expect(error.location.pointer).toBe('/runs/0/tool');
  });
});

describe('SARIF fingerprint basis', () => {
  const tool = { driver: { name: 'Scanner', rules: [{ id: 'R1' }] } };
  const at = (line: number, snippet: string, uri = 'src/a.ts') => ({
    physicalLocation: {
      artifactLocation: { uri },
      region: { startLine: line, snippet: { text: snippet } },
    },
  });

  it('keeps a code finding identity when the code moves to another line or is re-indented', async () => {
    const [before] = await parse(
      memorySource(
        sarif({
          tool,
          results: [{ ruleId: 'R1', message: { text: 'm' }, locations: [at(10, 'eval(input)')] }],
        }),
      ),
    );
    const [after] = await parse(
      memorySource(
        sarif({
          tool,
          results: [
            { ruleId: 'R1', message: { text: 'm' }, locations: [at(42, '    eval(input)  ')] },
          ],
        }),
      ),
    );
    expect(after!.location?.startLine).toBe(42);
    expect(after!.fingerprintBasis).toEqual(before!.fingerprintBasis);
    expect(before!.fingerprintBasis).toEqual({
      kind: 'code',
      tool: 'Scanner',
      ruleId: 'R1',
      path: 'src/a.ts',
      anchor: 'eval(input)',
    });
  });

  it('tells apart two places in one file by their code, never by the line alone', async () => {
    const findings = await parse(
      memorySource(
        sarif({
          tool,
          results: [
            {
              ruleId: 'R1',
              message: { text: 'm' },
              locations: [at(1, 'eval(a)'), at(2, 'eval(b)')],
            },
          ],
        }),
      ),
    );
    expect(findings[0]!.fingerprintBasis).not.toEqual(findings[1]!.fingerprintBasis);
  });

  it('uses the tool fingerprint when the result has one', async () => {
    const results = (line: number) => [
      {
        ruleId: 'R1',
        message: { text: 'm' },
        fingerprints: { 'matchBasedId/v1': 'abc' },
        locations: [at(line, 'x')],
      },
    ];
    const [before] = await parse(memorySource(sarif({ tool, results: results(1) })));
    const [after] = await parse(memorySource(sarif({ tool, results: results(99) })));
    expect(after!.fingerprintBasis).toEqual(before!.fingerprintBasis);
    expect(before!.fingerprintBasis).toEqual({
      kind: 'tool',
      tool: 'Scanner',
      ruleId: 'R1',
      value: 'matchBasedId/v1=abc',
    });
  });
});
