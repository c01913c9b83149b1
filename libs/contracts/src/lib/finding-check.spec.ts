import {
  CvssVector,
  FindingV1,
  type FindingV1 as Finding,
  Component,
  Location,
  VulnerabilityRef,
} from './finding';
import { FINDING_OBJECT_KEYS, findingConforms, findingProblem } from './finding-check';
import { canonicalJson } from './audit';
import { EXAMPLE_FINDING } from './examples';
import { AssetRef, ToolRef } from './primitives';

const context = {
  scanId: '3f1b6f5e-8a53-4a5e-9f7e-0d5b8c7a1e21',
  asset: { id: 'payments-api', type: 'repository' as const },
  detectedAt: '2024-05-01T10:00:00Z',
};

/**
 * Findings of every kind and shape the parsers produce (the corpus itself is read by
 * scanner-formats' specs, which check parseReport's findings with these checks).
 */
const BASES: readonly Finding[] = [
  EXAMPLE_FINDING,
  {
    fingerprint: 'b'.repeat(64),
    ...context,
    kind: 'weakness',
    title: 'Tainted SQL string',
    rule: {
      id: 'python.lang.security.audit.formatted-sql-query',
      name: 'formatted-sql-query',
      helpUri: 'https://semgrep.dev/r/python.lang.security.audit.formatted-sql-query',
    },
    severity: { reported: 'ERROR', normalized: 'high' },
    cvss: [],
    cwes: ['CWE-89'],
    location: {
      path: 'app/db.py',
      startLine: 12,
      endLine: 14,
      startColumn: 5,
      endColumn: 40,
      snippet: 'cursor.execute(f"select * from t where id = {id}")',
      logical: 'load_user',
    },
    references: ['https://owasp.org/Top10/A03_2021-Injection/'],
    tags: ['security', 'owasp-a03'],
    tool: { name: 'semgrep' },
  },
  {
    fingerprint: 'c'.repeat(64),
    ...context,
    asset: {
      id: 'web-portal',
      type: 'web-application',
      environment: 'staging',
      owner: 'jane@example.com',
      exposure: 'internal',
      pipelineRun: 'https://ci.example.com/runs/42',
    },
    kind: 'misconfiguration',
    title: 'Missing Content-Security-Policy header',
    description: '',
    severity: { normalized: 'medium' },
    vulnerability: { id: 'ZAP-10038', aliases: [] },
    cvss: [
      { version: '4.0', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N' },
    ],
    cwes: [],
    component: { name: 'nginx', fixedVersions: [] },
    location: { url: 'https://portal.example.com/login', method: 'GET', parameter: 'next' },
    references: [],
    tags: [],
    tool: { name: 'zap', version: '2.15.0' },
  },
];

function keysOf(schema: { shape: Record<string, unknown> }): string[] {
  return Object.keys(schema.shape).sort();
}

/** Scan contexts around the edges of their rules: findingConforms checks them, findingProblem not. */
const CONTEXT_PROBES: Record<'scanId' | 'detectedAt' | 'asset', readonly unknown[]> = {
  scanId: [
    context.scanId,
    context.scanId.toUpperCase(),
    '00000000-0000-0000-0000-000000000000',
    '3f1b6f5e-8a53-4a5e-9f7e-0d5b8c7a1e2',
    '3f1b6f5e8a534a5e9f7e0d5b8c7a1e21',
    'not-a-uuid',
    '',
    42,
    null,
    undefined,
  ],
  detectedAt: [
    context.detectedAt,
    '2024-05-01T10:00:00.123+02:00',
    '2024-05-01T10:00:00',
    '2024-05-01',
    '2024-13-01T10:00:00Z',
    'yesterday',
    1714557600000,
    undefined,
  ],
  asset: [
    context.asset,
    EXAMPLE_FINDING.asset,
    { id: 'has space', type: 'repository' },
    { id: 'x', type: 'submarine' },
    { id: 'x', type: 'host', environment: 'qa' },
    { id: 'x', type: 'host', repository: 'ftp://example.com/x' },
    { id: 'x', type: 'host', repository: ' https://git.example.com/x ' },
    { id: 'x', type: 'host', pipelineRun: 'https://ci.example.com/1 ' },
    { id: 'x', type: 'host', commit: 'zzzzzzz' },
    { id: 'x', type: 'host', extra: true },
    { id: '', type: 'host' },
    { type: 'host' },
    [],
    'payments-api',
    undefined,
  ],
};

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
    expect([...FINDING_OBJECT_KEYS.asset].sort()).toEqual(keysOf(AssetRef));
  });

  it('accepts the bases, which zod accepts too', () => {
    for (const finding of BASES) {
      expect(FindingV1.safeParse(finding).success).toBe(true);
      expect(findingProblem(finding)).toBeUndefined();
      expect(findingConforms(finding)).toBe(true);
    }
  });

  it('passes exactly the assets zod passes unchanged, field by field', () => {
    const probes: unknown[] = [
      undefined,
      null,
      7,
      '',
      'x',
      'x'.repeat(100),
      'x'.repeat(101),
      'x'.repeat(200),
      'x'.repeat(201),
      'payments api',
      'payments_api.v2:eu/1@x+y=z',
      '-leading-dash',
      'platform team',
      'prod',
      'qa',
      'host',
      'submarine',
      'internet',
      'isolated',
      'https://git.example.com/bank/payments-api',
      ' https://git.example.com/bank/payments-api',
      'https://git.example.com/bank/\tpayments-api',
      'https://ci.example.com/runs/\n42',
      'ftp://git.example.com/x',
      // 2,048 and 2,049 characters: the limit on either side.
      `https://example.com/${'a'.repeat(2028)}`,
      `https://example.com/${'a'.repeat(2029)}`,
      '9fceb02',
      '9FCEB02D0AE598E95DC970B74767F19372D61AF8',
      '9fceb0',
      'g'.repeat(7),
      'a'.repeat(64),
      'a'.repeat(65),
    ];
    const base = EXAMPLE_FINDING.asset as Record<string, unknown>;
    const assets: unknown[] = [base, { ...base, extra: 1 }, [], 'payments-api', null];
    for (const key of FINDING_OBJECT_KEYS.asset) {
      for (const probe of probes) {
        const asset = { ...base };
        if (probe === undefined) delete asset[key];
        else asset[key] = probe;
        assets.push(asset);
      }
    }
    let passed = 0;
    for (const asset of assets) {
      const finding = { ...EXAMPLE_FINDING, asset };
      const zod = FindingV1.safeParse(finding);
      const unchanged = zod.success && canonicalJson(zod.data) === canonicalJson(finding);
      if (findingConforms(finding) !== unchanged) {
        throw new Error(`disagrees with zod (unchanged: ${unchanged}) on ${JSON.stringify(asset)}`);
      }
      if (unchanged) passed += 1;
    }
    expect(passed).toBeGreaterThan(20);
    expect(assets.length - passed).toBeGreaterThan(100);
  });

  it('gives the same verdict as the zod schema on 20,000 mutated findings', () => {
    const bases = BASES;
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
      'https://a.example/a\tb',
      'https://a.example/\nx',
      'https://a.exa\rmple/x',
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
    let changedByZod = 0;
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
          if (!Array.isArray(parent)) parent[extraKey] = structuredClone(pick(values));
        } else if (next() < 0.1 && !Array.isArray(parent)) {
          delete parent[key];
        } else {
          // A copy: the probes' objects and arrays must not end up shared or inside themselves.
          parent[key] = structuredClone(pick(values));
        }
      }
      // Two rounds in three keep the scan context valid, for findingProblem, which leaves it
      // to the once-per-report check; the third probes the context's rules too.
      if (round % 3 !== 2) {
        Object.assign(candidate, context);
      } else {
        const field = pick(['scanId', 'detectedAt', 'asset'] as const);
        candidate[field] = structuredClone(pick(CONTEXT_PROBES[field]));
      }
      const zod = FindingV1.safeParse(candidate);
      const zodSays = zod.success;
      const conforms = findingConforms(candidate);
      const fastSays = round % 3 === 2 ? zodSays : findingProblem(candidate) === undefined;
      // findingConforms passes exactly what zod passes unchanged: it leaves to zod what zod
      // would change (URLs it trims).
      const unchanged = zod.success && canonicalJson(zod.data) === canonicalJson(candidate);
      if (zodSays) valid++;
      if (zodSays && !unchanged) changedByZod++;
      if (zodSays !== fastSays || conforms !== unchanged) {
        disagreements++;
        if (disagreements <= 3) {
          // Shows the offending finding when the two disagree.
          expect({
            round,
            zodSays,
            fastSays,
            conforms,
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
    // And findings zod accepts but changes occur, so findingConforms is tested on them.
    expect(changedByZod).toBeGreaterThan(40);
  });
});
