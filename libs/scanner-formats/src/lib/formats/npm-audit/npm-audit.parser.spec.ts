import { readFileSync } from 'node:fs';
import { severityFromWord } from '../../core/normalize';
import type { ParsedFinding } from '../../core/types';
import { corpusPath, corpusText } from '../../../testing/corpus';
import {
  type CorpusExpectation,
  itReadsItsCorpus,
  memorySource,
  parseCorpusFile,
  parseFailure,
  parseText,
} from '../../../testing/parser-spec';
import { npmAuditParser } from './npm-audit.parser';
import { patchedLowerBounds, vulnerableUpperBounds } from './npm-ranges';

const SEVERITY_ORDER = ['unknown', 'info', 'low', 'medium', 'high', 'critical'];
const highest = (findings: readonly ParsedFinding[]): string =>
  findings
    .map((f) => f.severity.normalized)
    .reduce((a, b) => (SEVERITY_ORDER.indexOf(a) >= SEVERITY_ORDER.indexOf(b) ? a : b));

/**
 * npm 6 (v1): one finding per advisory and installed version — DefectDojo's one per advisory
 * (every corpus advisory has one installed version).
 * npm 7+ (v2): one finding per advisory object in an entry's `via[]`. Entries whose `via` holds
 * only package names are reached transitively: their advisories are findings of the package that
 * has them (with the chain in location.logical), not findings of their own. DefectDojo instead
 * makes one finding per entry, inventing CWE-1035 for the transitive ones.
 */
const EXPECTED: Record<string, CorpusExpectation> = {
  'npm-audit-v1/no_vuln.json': { yielded: 0, distinct: 0, manifest: '0' },
  'npm-audit-v1/one_vuln.json': { yielded: 1, distinct: 1, manifest: '1' },
  'npm-audit-v1/many_vuln.json': { yielded: 5, distinct: 5, manifest: '5' },
  // npm's error object is claimed weakly, so that parsing can report the error it carries.
  'npm-audit-v1/empty_with_error.json': {
    rejected: true,
    manifest: 'error (ValueError)',
    confidence: 0.5,
  },
  'npm-audit-v2/no_vuln.json': { yielded: 0, distinct: 0, manifest: '0' },
  // debug carries two advisories (GHSA-gxpj-cx7g-858c, GHSA-9vvw-cc9w-f27h): 2, DefectDojo 1.
  'npm-audit-v2/one_vuln.json': { yielded: 2, distinct: 2, manifest: '1' },
  // 6 entries, 3 (@vercel/fun, @vercel/node, vercel) only transitive: 3, DefectDojo 6.
  'npm-audit-v2/many_vulns.json': { yielded: 3, distinct: 3, manifest: '6' },
  // 15 entries, 7 only transitive, 8 advisories: 8 (the manifest asserts no count).
  'npm-audit-v2/many_vuln_npm7.json': {
    yielded: 8,
    distinct: 8,
    manifest: 'not asserted for v7+ parser (raw 15 vulnerabilities; metadata total 15)',
  },
};

describe('npmAuditParser on the corpus', () => {
  itReadsItsCorpus(npmAuditParser, ['npm-audit-v1', 'npm-audit-v2'], EXPECTED, {
    minConfidence: 0.85,
  });
});

describe('npmAuditParser: facts (npm 6)', () => {
  it('one_vuln.json: growl 1.9.2, CWE-94, critical, patched from 1.10.2', async () => {
    const [finding] = await parseCorpusFile(npmAuditParser, 'npm-audit-v1/one_vuln.json');
    expect(finding).toMatchObject({
      title: 'CVE-2017-16042 in growl:1.9.2 — Command Injection',
      rule: { id: 'npm-advisory-146', name: 'Command Injection' },
      severity: { reported: 'critical', normalized: 'critical' },
      vulnerability: { id: 'CVE-2017-16042', aliases: ['npm-advisory-146'] },
      cwes: ['CWE-94'],
      component: {
        name: 'growl',
        version: '1.9.2',
        purl: 'pkg:npm/growl@1.9.2',
        ecosystem: 'npm',
        fixedVersions: ['1.10.2'],
      },
      location: { logical: 'mocha-jenkins-reporter>mocha>growl' },
      tags: ['dev-dependency'],
    });
    // Links inside the advisory's markdown `references` are kept.
    expect(finding!.references).toContain('https://github.com/tj/node-growl/issues/60');
  });

  it('many_vuln.json: dependency paths, censored private names, mime 1.3.4', async () => {
    const findings = await parseCorpusFile(npmAuditParser, 'npm-audit-v1/many_vuln.json');
    const byPath = (logical: string): ParsedFinding | undefined =>
      findings.find((f) => f.location?.logical === logical);
    expect(byPath('censored_by_npm_audit>send>mime')!.vulnerability!.id).toBe('CVE-2017-16138');
    expect(byPath('express>fresh')!.vulnerability!.id).toBe('CVE-2017-16119');
    expect(findings[4]!.component).toMatchObject({ name: 'mime', version: '1.3.4' });
    expect(findings[4]!.severity).toEqual({ reported: 'moderate', normalized: 'medium' });
    // "CWE-" (no number) is no CWE.
    expect(findings[4]!.cwes).toEqual([]);
    const pg = findings.find((f) => f.component?.name === 'pg')!;
    expect(pg.component!.fixedVersions).toEqual([
      '2.11.2',
      '3.6.4',
      '4.5.7',
      '5.2.1',
      '6.0.5',
      '6.1.6',
      '6.2.5',
      '6.3.3',
      '6.4.2',
      '7.0.2',
      '7.1.2',
    ]);
  });

  it('empty_with_error.json: npm error object → ReportParseError naming ENOAUDIT', async () => {
    const error = await parseFailure(
      npmAuditParser,
      memorySource(corpusText('npm-audit-v1/empty_with_error.json')),
    );
    expect(error.message).toContain('npm audit report contains errors:');
    expect(error.message).toContain('ENOAUDIT');
    expect(error.location.pointer).toBe('/error');
  });
});

describe('npmAuditParser: facts (npm 7+)', () => {
  it('one_vuln.json: the CWE-400 advisory keeps its CVSS 3.0 vector; the entry is high overall', async () => {
    const findings = await parseCorpusFile(npmAuditParser, 'npm-audit-v2/one_vuln.json');
    const redos = findings.find((f) => f.cwes.includes('CWE-400'))!;
    expect(redos.cvss).toEqual([
      {
        version: '3.0',
        vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L',
        reportedScore: 5.3,
      },
    ]);
    expect(redos.vulnerability!.id).toBe('GHSA-gxpj-cx7g-858c');
    // npm's entry-level "high" (DefectDojo's severity) is the worst of debug's advisories.
    expect(highest(findings)).toBe('high');
    expect(findings.every((f) => f.component!.name === 'debug')).toBe(true);
    expect(redos.component!.fixedVersions).toEqual(['2.6.9']);
    expect(redos.component!.purl).toBe('pkg:npm/debug');
    expect(redos.tags).toEqual(['direct-dependency', 'fix-available']);
  });

  it('many_vulns.json: @vercel/fun is reached transitively; its advisories are medium', async () => {
    const findings = await parseCorpusFile(npmAuditParser, 'npm-audit-v2/many_vulns.json');
    expect(findings.map((f) => f.component!.name)).toEqual(['debug', 'semver', 'undici']);
    expect(findings.some((f) => f.component!.name === '@vercel/fun')).toBe(false);
    const throughFun = findings.filter((f) => f.location?.logical?.includes('@vercel/fun'));
    expect(throughFun.map((f) => f.location!.logical)).toEqual([
      'vercel>@vercel/fun>debug',
      'vercel>@vercel/fun>semver',
    ]);
    // DefectDojo's "Medium" for @vercel/fun is npm's entry severity, the worst of these.
    expect(highest(throughFun)).toBe(severityFromWord('moderate'));
    expect(findings[0]!.description).toContain('npm audit fix --force` installs vercel@32.3.0');
  });

  it('many_vuln_npm7.json: npm-advisory ids when the advisory has no GHSA link', async () => {
    const findings = await parseCorpusFile(npmAuditParser, 'npm-audit-v2/many_vuln_npm7.json');
    const acorn = findings.find((f) => f.component!.name === 'acorn')!;
    expect(acorn.vulnerability).toEqual({ id: 'npm-advisory-1488', aliases: [] });
    expect(acorn.component!.fixedVersions).toEqual(['5.7.4', '6.4.1', '7.1.1']);
    expect(acorn.component!.path).toBe('node_modules/acorn');
  });
});

describe('npm semver ranges', () => {
  it('takes >= bounds of patched ranges and < bounds of vulnerable ranges only', () => {
    expect(patchedLowerBounds('>= 2.6.9 < 3.0.0 || >= 3.1.0')).toEqual(['2.6.9', '3.1.0']);
    expect(patchedLowerBounds('<0.0.0')).toEqual([]);
    expect(vulnerableUpperBounds('<=5.28.2')).toEqual([]);
    expect(vulnerableUpperBounds('<7.2.2 || >=8.0.0 <8.1.1')).toEqual(['7.2.2', '8.1.1']);
    expect(vulnerableUpperBounds('>=3.3.0')).toEqual([]);
  });
});

describe('npmAuditParser: invalid input', () => {
  it('reports truncated JSON with line and column', async () => {
    const text = readFileSync(corpusPath('npm-audit-v2/many_vulns.json'), 'utf8').slice(0, 1200);
    const error = await parseFailure(npmAuditParser, text);
    expect(error.location.line).toBe(text.split('\n').length);
    expect(error.location.column).toBe(text.length - text.lastIndexOf('\n'));
  });

  it('rejects a v2 `vulnerabilities` that is an array, a v1 advisory without module, an unknown version', async () => {
    const v2 = await parseFailure(
      npmAuditParser,
      '{"auditReportVersion": 2, "vulnerabilities": []}',
    );
    expect(v2.location.pointer).toBe('/vulnerabilities');
    const v1 = await parseFailure(npmAuditParser, '{"advisories": {"7/x": {"id": 7}}}');
    expect(v1.location.pointer).toBe('/advisories/7~1x/module_name');
    const v3 = await parseFailure(
      npmAuditParser,
      '{"auditReportVersion": 3, "vulnerabilities": {}}',
    );
    expect(v3.location.pointer).toBe('/auditReportVersion');
  });
});

describe('npmAuditParser: fingerprint stability', () => {
  it('keeps the basis when npm installs another vulnerable version at another path', async () => {
    const report = JSON.parse(readFileSync(corpusPath('npm-audit-v1/many_vuln.json'), 'utf8')) as {
      advisories: Record<string, { findings: Array<{ version: string; paths: string[] }> }>;
    };
    const before = await parseText(npmAuditParser, JSON.stringify(report));
    report.advisories['526']!.findings = [{ version: '0.4.0', paths: ['koa>fresh'] }];
    const after = await parseText(npmAuditParser, JSON.stringify(report, null, 1));
    const fresh = (list: ParsedFinding[]): ParsedFinding =>
      list.find((f) => f.component!.name === 'fresh')!;
    expect(fresh(after).component!.version).toBe('0.4.0');
    expect(fresh(after).location!.logical).toBe('koa>fresh');
    expect(fresh(after).fingerprintBasis).toEqual(fresh(before).fingerprintBasis);
  });
});
