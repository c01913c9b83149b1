import { createHash } from 'node:crypto';
import { PermanentError } from '@hum/common';
import { readBundledPolicyText } from '../scoring/testing/fixtures';
import type { ConfigIssue } from '@hum/config';
import { RiskPolicyError } from './config-error';
import { parseRiskPolicy } from './risk-policy';

const bundledText = readBundledPolicyText();

/** The bundled policy with one piece of text replaced, for breaking it in one place. */
function edited(from: string, to: string, text = bundledText): string {
  if (!text.includes(from)) throw new Error(`the bundled policy has no "${from}"`);
  return text.replace(from, to);
}

/** 1-based line and column where `needle` starts in `text` (the first occurrence after `after`). */
function positionOf(text: string, needle: string, after = ''): { line: number; column: number } {
  const from = after === '' ? 0 : text.indexOf(after);
  const offset = text.indexOf(needle, from);
  if (offset === -1) throw new Error(`"${needle}" not found`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

function issuesOf(text: string): readonly ConfigIssue[] {
  try {
    parseRiskPolicy(text, 'risk-policy.yaml');
  } catch (error) {
    if (error instanceof RiskPolicyError) return error.issues;
    throw error;
  }
  throw new Error('the policy was accepted');
}

describe('parseRiskPolicy', () => {
  it('loads the bundled policy, with its bands sorted highest first', () => {
    const policy = parseRiskPolicy(bundledText);
    expect(policy.version).toBe('risk-policy@1');
    expect(policy.digest).toBe(createHash('sha256').update(bundledText).digest('hex'));
    expect(policy.tiers).toEqual({ critical: 90, high: 70, medium: 40, low: 10 });
    expect(policy.weights.epss.probability.map((band) => band.atLeast)).toEqual([0.5, 0.1, 0.01]);
    expect(policy.overrides.map((override) => [override.id, override.action])).toEqual([
      ['secrets-never-below-high', { kind: 'floor', tier: 'high' }],
      ['kev-on-exposed-prod-is-critical', { kind: 'floor', tier: 'critical' }],
    ]);
  });

  it('sorts bands written in any order', () => {
    const text = edited(
      `      - { atLeast: 0.5, points: 15 }
      - { atLeast: 0.1, points: 10 }`,
      `      - { atLeast: 0.1, points: 10 }
      - { atLeast: 0.5, points: 15 }`,
    );
    expect(parseRiskPolicy(text).weights.epss.probability.map((band) => band.points)).toEqual([
      15, 10, 3,
    ]);
  });

  it('gives two texts that claim the same version different digests', () => {
    const changed = edited('    dev: -25', '    dev: -30');
    expect(parseRiskPolicy(changed).version).toBe('risk-policy@1');
    expect(parseRiskPolicy(changed).digest).not.toBe(parseRiskPolicy(bundledText).digest);
  });

  describe('rejects an invalid file, naming the line, the column and the field', () => {
    it('a misspelt key, which would otherwise silently drop the rule', () => {
      const text = edited('    minTier: high', '    minTeir: high');
      expect(issuesOf(text)).toEqual([
        {
          ...positionOf(text, 'secrets-never-below-high'),
          field: 'overrides[0].id',
          message: 'an override needs one of tier, minTier or maxTier',
        },
        {
          ...positionOf(text, 'minTeir'),
          field: 'overrides[0].minTeir',
          message:
            'unknown field "minTeir" (check its spelling: an unknown field would be ignored)',
        },
      ]);
    });

    it('an unknown key at the top level', () => {
      const text = `${bundledText}\noverides: []\n`;
      expect(issuesOf(text)).toEqual([
        expect.objectContaining({ ...positionOf(text, 'overides:'), field: 'overides' }),
      ]);
    });

    it('a value of the wrong type', () => {
      const text = edited('    staging: -10', '    staging: "-10"');
      expect(issuesOf(text)).toEqual([
        {
          ...positionOf(text, '"-10"'),
          field: 'scoring.environment.staging',
          message: 'Invalid input: expected number, received string',
        },
      ]);
    });

    it('a value out of range', () => {
      const text = edited(
        '      - { atLeast: 0.5, points: 15 }',
        '      - { atLeast: 5, points: 15 }',
      );
      expect(issuesOf(text)).toEqual([
        expect.objectContaining({
          ...positionOf(text, '5,'),
          field: 'scoring.epss.probability[0].atLeast',
        }),
      ]);
    });

    it('a missing section, at the line of its parent', () => {
      const kindBlock = bundledText.slice(
        bundledText.indexOf('  kind:'),
        bundledText.indexOf('    secret: 10\n') + '    secret: 10\n'.length,
      );
      const text = edited(kindBlock, '');
      expect(issuesOf(text)).toEqual([
        {
          ...positionOf(text, 'scoring:'),
          field: 'scoring.kind',
          message: 'required field is missing',
        },
      ]);
    });

    it('tier thresholds out of order', () => {
      const text = edited('  high: 70', '  high: 95');
      expect(issuesOf(text)).toEqual([
        {
          ...positionOf(text, '90', 'tiers:'),
          field: 'tiers.critical',
          message: 'critical (90) must be above high (95)',
        },
      ]);
    });

    it('a threshold with more decimals than a score has', () => {
      const text = edited('  medium: 40', '  medium: 40.25');
      expect(issuesOf(text)).toEqual([
        expect.objectContaining({ ...positionOf(text, '40.25'), field: 'tiers.medium' }),
      ]);
    });

    it('two overrides with one id', () => {
      const text = edited(
        '  - id: kev-on-exposed-prod-is-critical',
        '  - id: secrets-never-below-high',
      );
      const second = positionOf(text, 'secrets-never-below-high', 'kinds: [secret]');
      expect(issuesOf(text)).toEqual([
        {
          line: second.line,
          column: second.column,
          field: 'overrides[1].id',
          message: 'override id "secrets-never-below-high" is used twice',
        },
      ]);
    });

    it('an override with two actions, or a match with no criterion', () => {
      const text = edited(
        `      kinds: [secret]
    minTier: high`,
        `      {}
    minTier: high
    maxTier: critical`,
      );
      expect(issuesOf(text)).toEqual([
        expect.objectContaining({
          ...positionOf(text, '{}'),
          field: 'overrides[0].match',
          message: 'match names no criterion; to match every finding write assets: ["*"]',
        }),
        expect.objectContaining({
          ...positionOf(text, 'critical', 'maxTier:'),
          field: 'overrides[0].maxTier',
          message:
            'an override takes one of tier, minTier or maxTier, not minTier and maxTier (write two overrides)',
        }),
      ]);
    });

    it('a tier that does not exist, and a version that does not follow the pattern', () => {
      const text = edited(
        'version: risk-policy@1',
        'version: risk-policy-1',
        edited('    minTier: high', '    minTier: severe'),
      );
      expect(issuesOf(text).map((issue) => [issue.line, issue.field])).toEqual([
        [positionOf(text, 'version:').line, 'version'],
        [positionOf(text, 'severe').line, 'overrides[0].minTier'],
      ]);
    });

    it('two bands that start at the same probability', () => {
      const text = edited(
        '      - { atLeast: 0.1, points: 10 }',
        '      - { atLeast: 0.5, points: 10 }',
      );
      expect(issuesOf(text)).toEqual([
        expect.objectContaining({
          ...positionOf(text, '0.5, points: 10'),
          field: 'scoring.epss.probability[1].atLeast',
          message: 'two bands start at 0.5',
        }),
      ]);
    });

    it('a key given twice, which YAML would otherwise resolve silently', () => {
      const text = edited('    dev: -25', '    dev: -25\n    dev: 0');
      expect(issuesOf(text)).toEqual([
        expect.objectContaining({
          ...positionOf(text, 'dev: 0'),
          field: '',
          message: expect.stringContaining('Map keys must be unique') as string,
        }),
      ]);
    });

    it('a YAML syntax error', () => {
      const text = edited('  critical: 90', '  critical: [90');
      const [issue] = issuesOf(text);
      expect(issue?.message).toMatch(/^YAML syntax: /);
      expect(issue?.line).toBeGreaterThanOrEqual(positionOf(text, '[90').line);
    });

    it('a YAML alias bomb, refused before it expands', () => {
      const layers = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
      for (let i = 1; i < 8; i += 1) {
        const previous = String.fromCharCode(96 + i);
        const name = String.fromCharCode(97 + i);
        layers.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`);
      }
      expect(issuesOf(layers.join('\n'))).toEqual([
        {
          line: 1,
          column: 1,
          field: '',
          message: expect.stringMatching(/^YAML: .*alias/i) as string,
        },
      ]);
    });

    it('an empty file', () => {
      expect(issuesOf('')).toEqual([
        { line: 1, column: 1, field: '', message: 'Invalid input: expected object, received null' },
      ]);
    });
  });

  it('throws a permanent RiskPolicyError whose message lists every issue with its place', () => {
    const text = edited(
      '    staging: -10',
      '    staging: "-10"',
      edited('  high: 70', '  high: 95'),
    );
    let thrown: unknown;
    try {
      parseRiskPolicy(text, 'libs/risk/data/policy/risk-policy.yaml');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RiskPolicyError);
    expect(thrown).toBeInstanceOf(PermanentError);
    const staging = positionOf(text, '"-10"');
    const critical = positionOf(text, '90', 'tiers:');
    expect((thrown as Error).message).toBe(
      [
        'libs/risk/data/policy/risk-policy.yaml is invalid (2 problems):',
        `  line ${staging.line}, column ${staging.column}, field scoring.environment.staging: Invalid input: expected number, received string`,
        `  line ${critical.line}, column ${critical.column}, field tiers.critical: critical (90) must be above high (95)`,
      ].join('\n'),
    );
  });
});
