import { readFileSync } from 'node:fs';
import type { ParsedFinding } from '../../core/types';
import { corpusPath } from '../../../testing/corpus';
import {
  itReadsItsCorpus,
  parseCorpusFile,
  parseFailure,
  parseText,
} from '../../../testing/parser-spec';
import { anchoreEngineParser } from './anchore-engine.parser';

const MANY = 'anchore-engine/many_vulns.json';

/**
 * One finding per entry, like DefectDojo. The pipeline's fingerprint collapse then merges the
 * three VULNDB-103881 entries that Anchore reports for three jersey jars as package `jersey`
 * 1.13 (same vulnerability, same package identity): 23 entries, 21 distinct findings.
 */
const EXPECTED: Record<string, { yielded: number; distinct: number; manifest: string }> = {
  'anchore-engine/no_vuln.json': { yielded: 0, distinct: 0, manifest: '0' },
  'anchore-engine/one_vuln.json': { yielded: 1, distinct: 1, manifest: '1' },
  [MANY]: { yielded: 23, distinct: 21, manifest: '23' },
};

describe('anchoreEngineParser on the corpus', () => {
  itReadsItsCorpus(anchoreEngineParser, ['anchore-engine'], EXPECTED);
});

describe('anchoreEngineParser: facts', () => {
  it('one_vuln.json: CVE-2011-3389 in libgnutls30, Medium, debian purl', async () => {
    const [finding] = await parseCorpusFile(anchoreEngineParser, 'anchore-engine/one_vuln.json');
    expect(finding).toMatchObject({
      kind: 'vulnerability',
      title: 'CVE-2011-3389 in libgnutls30:3.5.8-5+deb9u4',
      severity: { reported: 'Medium', normalized: 'medium' },
      vulnerability: { id: 'CVE-2011-3389', aliases: [] },
      component: {
        name: 'libgnutls30',
        version: '3.5.8-5+deb9u4',
        ecosystem: 'deb',
        fixedVersions: [],
      },
      references: ['https://security-tracker.debian.org/tracker/CVE-2011-3389'],
      tool: { name: 'anchore-engine' },
    });
    expect(finding!.component!.purl).toMatch(/^pkg:deb\/debian\/libgnutls30@/);
    // "None" is Anchore's spelling of "absent": no path, no location.
    expect(finding!.component!.path).toBeUndefined();
    expect(finding!.location).toBeUndefined();
  });

  it('many_vulns.json: findings[5] has a fix; Negligible is info, Unknown stays unknown', async () => {
    const findings = await parseCorpusFile(anchoreEngineParser, MANY);
    expect(findings[5]!.vulnerability!.id).toBe('CVE-2019-3842');
    expect(findings[5]!.component!.fixedVersions).toEqual(['232-25+deb9u11']);
    expect(findings[0]!.component!.fixedVersions).toEqual([]);

    const bySeverity = (word: string): ParsedFinding[] =>
      findings.filter((f) => f.severity.reported === word);
    expect(bySeverity('Negligible').map((f) => f.severity.normalized)).toEqual([
      'info',
      'info',
      'info',
      'info',
    ]);
    // DefectDojo reports Unknown as Info; hum keeps "unknown" so the classifier decides.
    expect(bySeverity('Unknown').map((f) => f.severity.normalized)).toEqual(['unknown']);
  });

  it('many_vulns.json: VulnDB entries keep the jar path and collapse into one identity', async () => {
    const jersey = (await parseCorpusFile(anchoreEngineParser, MANY)).filter(
      (f) => f.vulnerability?.id === 'VULNDB-103881',
    );
    expect(jersey).toHaveLength(3);
    expect(new Set(jersey.map((f) => f.location?.path)).size).toBe(3);
    expect(jersey[0]!.location!.path).toContain('jersey-apache-client-1.13-sources.jar');
    expect(jersey[0]!.component).toMatchObject({ ecosystem: 'maven', fixedVersions: ['1.18'] });
    expect(jersey[0]!.component!.purl).toBeUndefined();
    expect(new Set(jersey.map((f) => JSON.stringify(f.fingerprintBasis))).size).toBe(1);
  });
});

describe('anchoreEngineParser: invalid input', () => {
  it('reports truncated JSON with line and column', async () => {
    const text = readFileSync(corpusPath('anchore-engine/one_vuln.json'), 'utf8').slice(0, 300);
    const error = await parseFailure(anchoreEngineParser, text);
    expect(error.location.line).toBe(text.split('\n').length);
    expect(error.location.column).toBe(text.length - text.lastIndexOf('\n'));
  });

  it('rejects `vulnerabilities` of the wrong type with its pointer', async () => {
    const error = await parseFailure(
      anchoreEngineParser,
      '{"imageDigest": "sha256:1", "vulnerabilities": {}}',
    );
    expect(error.location.pointer).toBe('/vulnerabilities');
  });

  it('points at an entry without a vulnerability id', async () => {
    const error = await parseFailure(
      anchoreEngineParser,
      '{"vulnerabilities": [{"vuln": "CVE-2020-1", "package_name": "a"}, {"package_name": "b"}]}',
    );
    expect(error.location.pointer).toBe('/vulnerabilities/1/vuln');
  });
});

describe('anchoreEngineParser: fingerprint stability', () => {
  it('keeps the basis across a package upgrade and a reordered report', async () => {
    const report = JSON.parse(readFileSync(corpusPath(MANY), 'utf8')) as {
      vulnerabilities: Array<Record<string, string>>;
    };
    const before = await parseText(anchoreEngineParser, JSON.stringify(report));
    const changed = structuredClone(report);
    for (const entry of changed.vulnerabilities) {
      if (entry['package_name'] === 'libudev1') entry['package_version'] = '232-25+deb9u10';
    }
    changed.vulnerabilities.reverse();
    const after = await parseText(anchoreEngineParser, JSON.stringify(changed));
    const key = (f: ParsedFinding): string => JSON.stringify(f.fingerprintBasis);
    expect(new Set(after.map(key))).toEqual(new Set(before.map(key)));
    const udevBefore = before.find((f) => f.vulnerability?.id === 'CVE-2019-3842')!;
    const udevAfter = after.find((f) => f.vulnerability?.id === 'CVE-2019-3842')!;
    expect(udevAfter.component!.version).toBe('232-25+deb9u10');
    expect(udevAfter.fingerprintBasis).toEqual(udevBefore.fingerprintBasis);
  });
});
