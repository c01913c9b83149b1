import { readFileSync } from 'node:fs';
import {
  Component,
  CvssVector,
  FindingV1,
  Location,
  ToolRef,
  VulnerabilityRef,
  type FindingV1 as Finding,
} from '@hum/contracts';
import { corpusPath } from '../../testing/corpus';
import { memorySource } from '../../testing/parser-spec';
import { FINDING_OBJECT_KEYS, findingProblem } from './finding-check';
import { parseReport } from './parse-report';

const context = {
  scanId: '3f1b6f5e-8a53-4a5e-9f7e-0d5b8c7a1e21',
  asset: { id: 'payments-api', type: 'repository' as const },
  detectedAt: '2024-05-01T10:00:00Z',
};

async function corpusFindings(): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const file of [
    'trivy/scheme_2_many_vulns.json',
    'trivy/misconfigurations_and_secrets.json',
    'sarif/dependency-check.sarif',
    'sarif/gitleaks_7.5.0.sarif',
    'sarif/semgrep.sarif',
    'semgrep/one_finding.json',
  ]) {
    for await (const finding of parseReport(memorySource(readFileSync(corpusPath(file)), 1 << 20), {
      context,
    }).findings) {
      out.push(finding);
    }
  }
  return out;
}

function keysOf(schema: { shape: Record<string, unknown> }): string[] {
  return Object.keys(schema.shape).sort();
}

describe('findingProblem', () => {
  it('knows exactly the fields of every Finding v1 object (a contract change fails here)', () => {
    const shape = FindingV1.shape;
    expect([...FINDING_OBJECT_KEYS.finding].sort()).toEqual(keysOf(FindingV1));
    expect([...FINDING_OBJECT_KEYS.rule].sort()).toEqual(keysOf(shape.rule.unwrap()));
    expect([...FINDING_OBJECT_KEYS.severity].sort()).toEqual(keysOf(shape.severity));
    expect([...FINDING_OBJECT_KEYS.vulnerability].sort()).toEqual(keysOf(VulnerabilityRef));
    expect([...FINDING_OBJECT_KEYS.cvss].sort()).toEqual(keysOf(CvssVector));
    expect([...FINDING_OBJECT_KEYS.component].sort()).toEqual(keysOf(Component));
    expect([...FINDING_OBJECT_KEYS.location].sort()).toEqual(keysOf(Location));
    expect([...FINDING_OBJECT_KEYS.tool].sort()).toEqual(keysOf(ToolRef));
  });

  it('accepts what parseReport produces from the corpus', async () => {
    const findings = await corpusFindings();
    expect(findings.length).toBeGreaterThan(20);
    for (const finding of findings) expect(findingProblem(finding)).toBeUndefined();
  });

  it('gives the same verdict as the zod schema on 20,000 mutated findings', async () => {
    const bases = await corpusFindings();
    // Deterministic generator (mulberry32): a failure names its seed.
    let state = 12345;
    const next = (): number => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
    const lengths = [
      0, 1, 2, 20, 21, 50, 51, 100, 101, 200, 201, 300, 301, 500, 501, 1000, 1001, 2048, 2049, 4000,
      4001, 32000, 32001,
    ];
    const values: unknown[] = [
      undefined,
      null,
      42,
      -1,
      0,
      10,
      10.5,
      11,
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      2 ** 60,
      true,
      [],
      {},
      ['x'],
      [''],
      'CWE-79',
      'CWE-123456',
      'cwe-79',
      'CWE-',
      'https://a.example/x',
      ' https://a.example/x ',
      'HTTPS://A.EXAMPLE',
      'http:a.example',
      'https:/a.example',
      'ftp://a.example',
      'https://exa mple.com',
      'https://',
      'javascript:alert(1)',
      'pkg:npm/a@1',
      'npm/a',
      'critical',
      'severe',
      'unknown',
      'weakness',
      'secret',
      '3.1',
      '5.0',
      'a'.repeat(64),
      'A'.repeat(64),
      'a'.repeat(63),
      ...lengths.map((n) => 'x'.repeat(n)),
    ];

    const paths = (value: unknown, prefix: (string | number)[] = []): (string | number)[][] => {
      if (typeof value !== 'object' || value === null) return [prefix];
      const own = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
      return [
        prefix,
        ...own.flatMap((key) =>
          paths((value as Record<string | number, unknown>)[key], [...prefix, key]),
        ),
      ];
    };
    const holderAt = (
      root: unknown,
      path: (string | number)[],
    ): Record<string | number, unknown> | undefined => {
      let node = root as Record<string | number, unknown>;
      for (const key of path) {
        const child = node[key];
        if (typeof child !== 'object' || child === null) return undefined;
        node = child as Record<string | number, unknown>;
      }
      return node;
    };
    const optionalKeys: Record<string, string[]> = {
      '': ['description', 'rule', 'vulnerability', 'component', 'location', 'unknownField'],
      location: ['method', 'url', 'parameter', 'startColumn', 'snippet', 'logical', 'extra'],
      component: ['purl', 'ecosystem', 'path', 'version', 'extra'],
      rule: ['name', 'helpUri', 'extra'],
      tool: ['version', 'extra'],
      severity: ['reported', 'extra'],
    };

    let disagreements = 0;
    let valid = 0;
    for (let round = 0; round < 20_000; round++) {
      const candidate = structuredClone(pick(bases)) as unknown as Record<string, unknown>;
      const mutations = 1 + Math.floor(next() * 2);
      for (let m = 0; m < mutations; m++) {
        const all = paths(candidate).filter((p) => p.length > 0);
        const target = pick(all);
        const parent = holderAt(candidate, target.slice(0, -1));
        if (parent === undefined) continue;
        const key = target[target.length - 1]!;
        if (next() < 0.15) {
          const container = target.slice(0, -1).join('.');
          const extraKey = pick(optionalKeys[container] ?? ['extra']);
          if (!Array.isArray(parent)) parent[extraKey] = pick(values);
        } else if (next() < 0.1 && !Array.isArray(parent)) {
          delete parent[key];
        } else {
          parent[key] = pick(values);
        }
      }
      // Keep the scan context valid: findingProblem leaves it to the once-per-report check.
      Object.assign(candidate, context);
      const zodSays = FindingV1.safeParse(candidate).success;
      const fastSays = findingProblem(candidate) === undefined;
      if (zodSays) valid++;
      if (zodSays !== fastSays) {
        disagreements++;
        if (disagreements <= 3) {
          // Shows the offending finding when the two disagree.
          expect({
            round,
            zodSays,
            fastSays,
            problem: findingProblem(candidate),
            candidate,
          }).toBeUndefined();
        }
      }
    }
    expect(disagreements).toBe(0);
    // Both verdicts occur often, so the agreement means something either way.
    expect(valid).toBeGreaterThan(2000);
    expect(20_000 - valid).toBeGreaterThan(2000);
  });
});
