import {
  itReadsItsCorpus,
  parseCorpusFile,
  parseFailure,
  parseText,
} from '../../../testing/parser-spec';
import { gitlabSastParser } from './gitlab-sast.parser';

const ONE_VULN = 'gitlab-sast/gl-sast-report-1-vuln_v15.json';
const CONFIDENCE = 'gitlab-sast/gl-sast-report-confidence_v15.json';

function report(vulnerabilities: unknown[], scanType = 'sast'): string {
  return JSON.stringify({
    version: '15.0.7',
    vulnerabilities,
    scan: {
      scanner: { id: 'semgrep', name: 'Semgrep', version: '1.50.0', vendor: { name: 'GitLab' } },
      analyzer: { id: 'semgrep', name: 'Semgrep', version: '4.8.0', vendor: { name: 'GitLab' } },
      type: scanType,
      start_time: '2024-01-01T00:00:00',
      end_time: '2024-01-01T00:01:00',
      status: 'success',
    },
  });
}

const SQLI = {
  id: 'a1b2',
  name: 'Improper neutralization of special elements used in an SQL Command',
  description: 'SQL built from user input.',
  severity: 'High',
  location: { file: 'app/db.py', start_line: 40, end_line: 42, class: 'Repo', method: 'find' },
  identifiers: [
    {
      type: 'semgrep_id',
      name: 'bandit.B608',
      value: 'bandit.B608',
      url: 'https://semgrep.dev/r/bandit.B608',
    },
    {
      type: 'cwe',
      name: 'CWE-89',
      value: '89',
      url: 'https://cwe.mitre.org/data/definitions/89.html',
    },
    { type: 'owasp', name: 'A03:2021 - Injection', value: 'A03:2021' },
  ],
};

describe('gitlabSastParser on the real corpus', () => {
  itReadsItsCorpus(gitlabSastParser, ['gitlab-sast'], {
    // 2.x and 14.x reports name no scan type within the window: SAST is the default guess.
    'gitlab-sast/gl-sast-report-0-vuln.json': {
      yielded: 0,
      distinct: 0,
      manifest: '0',
      confidence: 0.5,
    },
    'gitlab-sast/gl-sast-report-1-vuln_v15.json': {
      yielded: 1,
      distinct: 1,
      manifest: '1',
      confidence: 0.5,
    },
    // Two pairs of findings share a rule, a file and a class/method: 6 after collapsing.
    'gitlab-sast/gl-sast-report-confidence_v15.json': { yielded: 8, distinct: 6, manifest: '8' },
  });

  it('maps the legacy 2.3 TruffleHog finding: title, Critical severity, a secret', async () => {
    const [finding] = await parseCorpusFile(gitlabSastParser, ONE_VULN);
    expect(finding).toMatchObject({
      kind: 'secret',
      title: 'Password in URL',
      severity: { reported: 'Critical', normalized: 'critical' },
      rule: { id: 'Password in URL', name: 'TruffleHog rule ID Password in URL' },
      location: { path: 'docker-compose.override.unit_tests.yml', startLine: 19, endLine: 19 },
      tool: { name: 'GitLab SAST' },
    });
    // No snippet or logical location in the report: the anchor is empty (documented rule).
    expect(finding!.fingerprintBasis).toEqual({
      kind: 'code',
      tool: 'GitLab SAST',
      ruleId: 'Password in URL',
      path: 'docker-compose.override.unit_tests.yml',
      anchor: '',
    });
  });

  it('maps the njsscan report: scanner 0.1.9, all eight High, CWE from the identifiers', async () => {
    const findings = await parseCorpusFile(gitlabSastParser, CONFIDENCE);
    expect(findings.map((f) => f.severity)).toEqual(
      Array(8).fill({ reported: 'High', normalized: 'high' }),
    );
    expect(new Set(findings.map((f) => JSON.stringify(f.tool)))).toEqual(
      new Set([JSON.stringify({ name: 'njsscan', version: '0.1.9' })]),
    );
    expect(findings[0]).toMatchObject({
      kind: 'weakness',
      title: 'node_username',
      rule: { id: 'node_username', name: 'node_username' },
      cwes: ['CWE-798'],
      location: { path: 'data/datacreator.js', startLine: 246, endLine: 246 },
    });
    expect(findings.map((f) => f.cwes[0])).toEqual([
      'CWE-798',
      'CWE-798',
      'CWE-798',
      'CWE-943',
      'CWE-89',
      'CWE-918',
      'CWE-918',
      'CWE-89',
    ]);
  });

  it('gives the two node_username findings of one file one basis (no line in the fingerprint)', async () => {
    const findings = await parseCorpusFile(gitlabSastParser, CONFIDENCE);
    // 8 findings as the manifest counts; hum's pipeline later collapses 246/250 and 15/17.
    expect(findings[0]!.fingerprintBasis).toEqual(findings[1]!.fingerprintBasis);
    expect(new Set(findings.map((f) => JSON.stringify(f.fingerprintBasis))).size).toBe(6);
  });
});

describe('gitlabSastParser detection', () => {
  it('claims secret-detection reports and leaves DAST reports alone', () => {
    expect(gitlabSastParser.detect(report([], 'secret_detection'))).toBeGreaterThan(0.9);
    expect(gitlabSastParser.detect(report([], 'dast'))).toBe(0);
  });
});

describe('gitlabSastParser mapping', () => {
  it('maps a schema 15 finding completely', async () => {
    const [finding] = await parseText(gitlabSastParser, report([SQLI]));
    expect(finding).toEqual({
      kind: 'weakness',
      title: SQLI.name,
      description: 'SQL built from user input.',
      rule: {
        id: 'bandit.B608',
        name: 'bandit.B608',
        helpUri: 'https://semgrep.dev/r/bandit.B608',
      },
      severity: { reported: 'High', normalized: 'high' },
      cvss: [],
      cwes: ['CWE-89'],
      location: { path: 'app/db.py', startLine: 40, endLine: 42, logical: 'Repo.find' },
      references: [
        'https://semgrep.dev/r/bandit.B608',
        'https://cwe.mitre.org/data/definitions/89.html',
      ],
      tags: [],
      tool: { name: 'Semgrep', version: '1.50.0' },
      fingerprintBasis: {
        kind: 'code',
        tool: 'Semgrep',
        ruleId: 'bandit.B608',
        path: 'app/db.py',
        anchor: 'repo.find',
      },
    });
  });

  it('keeps the basis when the same finding moves to other lines', async () => {
    const moved = { ...SQLI, location: { ...SQLI.location, start_line: 90, end_line: 92 } };
    const [before] = await parseText(gitlabSastParser, report([SQLI]));
    const [after] = await parseText(gitlabSastParser, report([moved]));
    expect(after!.location?.startLine).toBe(90);
    expect(after!.fingerprintBasis).toEqual(before!.fingerprintBasis);
  });

  it("uses GitLab's line-independent tracking signature when the report has one", async () => {
    const tracked = {
      ...SQLI,
      tracking: {
        type: 'source',
        items: [
          {
            file: 'app/db.py',
            line_start: 40,
            line_end: 42,
            signatures: [
              { algorithm: 'location', value: 'app/db.py:40' },
              { algorithm: 'scope_offset', value: 'app/db.py|Repo[0]|find[0]:3' },
            ],
          },
        ],
      },
    };
    const [finding] = await parseText(gitlabSastParser, report([tracked]));
    expect(finding!.fingerprintBasis).toEqual({
      kind: 'tool',
      tool: 'Semgrep',
      ruleId: 'bandit.B608',
      value: 'app/db.py|scope_offset:app/db.py|Repo[0]|find[0]:3',
    });
  });

  it('reads secret detection as secrets and scrubs a leaked match from the prose', async () => {
    const leaked = 'AKIAIOSFODNN7EXAMPLE';
    const secret = {
      id: 's1',
      category: 'secret_detection',
      name: `AWS access key ${leaked}`,
      description: `Found ${leaked}; revoke it.`,
      severity: 'Critical',
      raw_source_code_extract: leaked,
      location: { file: 'config/aws.env', start_line: 3, commit: { sha: '0000000' } },
      identifiers: [{ type: 'gitleaks_rule_id', name: 'Gitleaks rule ID AWS', value: 'AWS' }],
    };
    const [finding] = await parseText(gitlabSastParser, report([secret], 'secret_detection'));
    expect(finding!.kind).toBe('secret');
    expect(JSON.stringify(finding)).not.toContain(leaked);
    expect(finding!.title).toBe('AWS access key [REDACTED]');
    expect(finding!.location?.snippet).toBeUndefined();
  });

  it('yields nothing for a valid empty report', async () => {
    expect(await parseText(gitlabSastParser, report([]))).toEqual([]);
  });

  it('refuses a report of another GitLab kind when forced to read it', async () => {
    const error = await parseFailure(gitlabSastParser, report([], 'dependency_scanning'));
    expect(error.location.pointer).toBe('/scan/type');
    expect(error.message).toMatch(/dependency_scanning/);
  });
});

describe('gitlabSastParser on malformed input', () => {
  it('reports the line and column of truncated JSON', async () => {
    const text = report([SQLI]);
    const error = await parseFailure(gitlabSastParser, text.slice(0, 120));
    expect(error.format).toBe('gitlab-sast');
    expect(error.message).toMatch(/malformed JSON/);
    expect(error.location).toEqual({ line: 1, column: 121 });
  });

  it('points at vulnerabilities when it is not an array', async () => {
    const error = await parseFailure(
      gitlabSastParser,
      JSON.stringify({ version: '15.0.0', vulnerabilities: 'none' }),
    );
    expect(error.location.pointer).toBe('/vulnerabilities');
  });

  it('points at the field of the vulnerability that has the wrong type', async () => {
    const bad = { ...SQLI, location: { ...SQLI.location, start_line: '40' } };
    const error = await parseFailure(gitlabSastParser, report([SQLI, bad]));
    expect(error.location.pointer).toBe('/vulnerabilities/1/location/start_line');
  });

  it('stops at maxFindings instead of yielding more', async () => {
    const error = await parseFailure(gitlabSastParser, report([SQLI, SQLI, SQLI]), {
      maxFindings: 2,
    });
    expect(error.message).toMatch(/more than 2 findings/);
    expect(error.location.pointer).toBe('/vulnerabilities/2');
  });
});
