import { createHash } from 'node:crypto';
import { computeFingerprint, normalizePath } from './fingerprint';
import type { FingerprintBasis } from './types';

describe('computeFingerprint', () => {
  // Fingerprints are stored downstream (tickets, suppressions): these were computed by the first
  // release and must never change, whatever the implementation.
  it.each<[FingerprintBasis, string, string]>([
    [
      {
        kind: 'dependency',
        vulnerabilityId: 'cve-2021-44228',
        packageId: 'PKG:maven/org.apache.logging.log4j/log4j-core',
      },
      'registry.example/app',
      'f5eb43cf99a360cfaf6f19efb983f9355feb82f56cc8a2dd188ccd24a727d494',
    ],
    [
      { kind: 'tool', tool: 'CodeQL', ruleId: 'js/xss', value: 'primaryLocationLineHash=abc:1' },
      'github.com/acme/web',
      '3b01c95bb07ac086cb4989ceb9ab04d0a46e28f09713f81ea67355b69a4fdc5e',
    ],
    [
      {
        kind: 'code',
        tool: 'Semgrep',
        ruleId: 'python.sqli',
        path: './src\\db.py',
        anchor: 'cursor.execute(q)',
      },
      'github.com/acme/api',
      '7ad9e8826ce94643c3cf9205508c6ad384e623cc7fc7583e876eb30fac301b1e',
    ],
    [
      {
        kind: 'resource',
        tool: 'Checkov',
        ruleId: 'CKV_AWS_18',
        resource: 'main.tf#aws_s3_bucket.data',
      },
      'github.com/acme/infra',
      'f83f11926674cee2d1e2eb3f890661d6fa76dbf3816471ce65b06d82e4d1a919',
    ],
    [
      { kind: 'code', tool: 'gitleaks', ruleId: 'aws-key', path: 'config/é.env', anchor: '' },
      'asset|with:separators',
      'b8958abcea422e32c903423b77a6aed4272da0df4809932268c4ef42ed07da73',
    ],
  ])('keeps the published value for %j on %s', (basis, asset, expected) => {
    expect(computeFingerprint(basis, asset)).toBe(expected);
  });

  it('is SHA-256 over length-prefixed parts, so no two bases can run into each other', () => {
    const basis: FingerprintBasis = { kind: 'dependency', vulnerabilityId: 'A', packageId: 'b|c' };
    const material = '9:hum-fp-v1|10:dependency|5:asset|1:A|3:b|c';
    expect(computeFingerprint(basis, 'asset')).toBe(
      createHash('sha256').update(material).digest('hex'),
    );
    expect(computeFingerprint(basis, 'asset')).not.toBe(
      computeFingerprint({ kind: 'dependency', vulnerabilityId: 'A|b', packageId: 'c' }, 'asset'),
    );
  });

  it('ignores the case of ids, tools and packages, and the spelling of a path', () => {
    const dependency = (vulnerabilityId: string, packageId: string): string =>
      computeFingerprint({ kind: 'dependency', vulnerabilityId, packageId }, 'a');
    expect(dependency('cve-2024-1', 'pkg:npm/Lodash')).toBe(
      dependency('CVE-2024-1', 'pkg:npm/lodash'),
    );
    const code = (tool: string, path: string): string =>
      computeFingerprint({ kind: 'code', tool, ruleId: 'r', path, anchor: 'x' }, 'a');
    expect(code('Semgrep', './src\\a.py')).toBe(code('semgrep', 'src/a.py'));
    expect(code('semgrep', 'src/a.py')).not.toBe(code('semgrep', 'src/b.py'));
  });

  it('differs between assets', () => {
    const basis: FingerprintBasis = { kind: 'tool', tool: 't', ruleId: 'r', value: 'v' };
    expect(computeFingerprint(basis, 'a')).not.toBe(computeFingerprint(basis, 'b'));
  });
});

describe('normalizePath', () => {
  it('writes the same file the same way from any runner', () => {
    expect(normalizePath('file:///src/a.js')).toBe('src/a.js');
    expect(normalizePath('.\\src\\a.js')).toBe('src/a.js');
    expect(normalizePath('././src/a.js')).toBe('src/a.js');
    expect(normalizePath('/src/a.js')).toBe('src/a.js');
  });
});
