import { ClassifiedFindingV1 } from './classified';
import {
  classificationConforms,
  classifiedAroundCheckedFinding,
  classifiedConforms,
  lifecycleConforms,
} from './classified-event';
import { canonicalJson } from './audit';
import { conformingMark } from './conforming';
import { EXAMPLE_CLASSIFIED, EXAMPLE_FINDING } from './examples';

type Fields = Record<string, unknown>;

const { classification, lifecycle } = EXAMPLE_CLASSIFIED;
const factor = classification.factors[0]!;

/** Values of every JSON kind and the edges of the rules in the contract. */
const PROBES: readonly unknown[] = [
  undefined,
  null,
  true,
  false,
  0,
  -1,
  1,
  0.5,
  100,
  100.0001,
  101,
  -0.0001,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  'x',
  'x'.repeat(100),
  'x'.repeat(101),
  'x'.repeat(500),
  'x'.repeat(501),
  'critical',
  'info',
  'medium',
  'new',
  'open',
  'reopened',
  'resolved',
  'tier-changed',
  'intel-changed',
  'acceptance-lapsed',
  '2026-11-20T12:00:00.000Z',
  '2026-11-20T12:00:00+01:00',
  '2026-11-20T12:00:00',
  '2026-11-20',
  'not a time',
  [],
  [factor],
  Array.from({ length: 50 }, () => factor),
  Array.from({ length: 51 }, () => factor),
  [{ ...factor, extra: 1 }],
  {},
  { ...factor },
];

/** The whole part with one field replaced (or removed, for undefined) by each probe. */
function variants(base: Fields): Fields[] {
  const out: Fields[] = [base, { ...base, unknown: 1 }];
  for (const key of Object.keys(base)) {
    for (const probe of PROBES) {
      const copy = { ...base };
      if (probe === undefined) delete copy[key];
      else copy[key] = probe;
      out.push(copy);
    }
  }
  return out;
}

const zodAccepts = (schema: { safeParse(v: unknown): { success: boolean } }, value: unknown) =>
  schema.safeParse(value).success;

describe('the straight-line checks of a classified event', () => {
  it('give zod’s verdict on every field of a classification', () => {
    const bases: Fields[] = [
      classification,
      { ...classification, factors: [] },
      ...variants(factor as Fields).map((f) => ({ ...classification, factors: [f] })),
    ];
    let accepted = 0;
    for (const base of bases) {
      for (const value of variants(base)) {
        const expected = zodAccepts(ClassifiedFindingV1.shape.classification, value);
        if (classificationConforms(value) !== expected) {
          throw new Error(`disagrees with zod (zod: ${expected}) on ${JSON.stringify(value)}`);
        }
        if (expected) accepted += 1;
      }
    }
    // The probes exercise both verdicts, not only rejections.
    expect(accepted).toBeGreaterThan(50);
  });

  it('give zod’s verdict on every field of a lifecycle', () => {
    const bases: Fields[] = [
      lifecycle,
      { ...lifecycle, previousTier: 'high', change: 'tier-changed' },
      { ...lifecycle, state: 'reopened', change: 'reopened', revision: 7 },
    ];
    let accepted = 0;
    for (const base of bases) {
      for (const value of variants(base)) {
        const expected = zodAccepts(ClassifiedFindingV1.shape.lifecycle, value);
        if (lifecycleConforms(value) !== expected) {
          throw new Error(`disagrees with zod (zod: ${expected}) on ${JSON.stringify(value)}`);
        }
        if (expected) accepted += 1;
      }
    }
    expect(accepted).toBeGreaterThan(20);
  });

  it('refuse what is not a plain object', () => {
    class Lifecycle {
      constructor(readonly revision = 1) {}
    }
    for (const value of [null, [], 'x', 1, new Lifecycle()]) {
      expect(classificationConforms(value)).toBe(false);
      expect(lifecycleConforms(value)).toBe(false);
    }
  });
});

describe('classifiedConforms', () => {
  it('passes exactly the events zod passes unchanged, part by part', () => {
    const findings: unknown[] = [
      EXAMPLE_FINDING,
      ...variants(EXAMPLE_FINDING as unknown as Fields),
      // zod trims URLs and drops tabs and line breaks: valid, but not as they are.
      { ...EXAMPLE_FINDING, references: [' https://nvd.nist.gov/ '] },
      { ...EXAMPLE_FINDING, references: ['https://nvd.nist.gov/\tx'] },
    ];
    const events: unknown[] = [
      ...findings.map((finding) => ({ finding, classification, lifecycle })),
      ...variants(classification as Fields).map((c) => ({
        finding: EXAMPLE_FINDING,
        classification: c,
        lifecycle,
      })),
      ...variants(lifecycle as Fields).map((l) => ({
        finding: EXAMPLE_FINDING,
        classification,
        lifecycle: l,
      })),
      ...variants({ finding: EXAMPLE_FINDING, classification, lifecycle }),
    ];
    let passed = 0;
    let changedByZod = 0;
    for (const event of events) {
      const zod = ClassifiedFindingV1.safeParse(event);
      const unchanged = zod.success && canonicalJson(zod.data) === canonicalJson(event);
      if (zod.success && !unchanged) changedByZod += 1;
      if (classifiedConforms(event) !== unchanged) {
        throw new Error(`disagrees with zod (unchanged: ${unchanged}) on ${JSON.stringify(event)}`);
      }
      if (unchanged) passed += 1;
    }
    expect(passed).toBeGreaterThan(20);
    expect(changedByZod).toBe(2);
    expect(events.length - passed).toBeGreaterThan(500);
  });
});

describe('classifiedAroundCheckedFinding', () => {
  it('is marked with the JSON of the whole event, built around the JSON it was given', () => {
    const finding = structuredClone(EXAMPLE_FINDING);
    const given = [
      classifiedAroundCheckedFinding(finding, classification, lifecycle),
      classifiedAroundCheckedFinding(
        finding,
        classification,
        lifecycle,
        JSON.stringify(finding),
        JSON.stringify(classification),
      ),
    ];
    for (const event of given) {
      expect(conformingMark(ClassifiedFindingV1, event)?.json).toBe(JSON.stringify(event));
    }
  });

  it('keeps the parts it checked as they are and words zod’s error for the others', () => {
    const finding = structuredClone(EXAMPLE_FINDING);
    const event = classifiedAroundCheckedFinding(finding, classification, lifecycle);
    expect(event.classification).toBe(classification);
    expect(event.lifecycle).toBe(lifecycle);
    expect(() =>
      classifiedAroundCheckedFinding(finding, classification, {
        ...lifecycle,
        state: 'resolved' as 'open',
      }),
    ).toThrow(/state/);
  });
});
