import { mutateReport, seededRandom } from './mutate-report';

const report = Buffer.from(
  JSON.stringify({
    Results: [
      { Target: 'app', Vulnerabilities: [{ VulnerabilityID: 'CVE-2024-1', Severity: 'HIGH' }] },
    ],
  }),
);

describe('mutateReport', () => {
  it('replays the same mutations from the same seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    for (let i = 0; i < 200; i += 1) {
      const left = mutateReport(report, a);
      const right = mutateReport(report, b);
      expect(right.name).toBe(left.name);
      expect(right.body.equals(left.body)).toBe(true);
    }
  });

  it('draws every kind of mutation, and most of them change the report', () => {
    const random = seededRandom(7);
    const kinds = new Set<string>();
    let changed = 0;
    for (let i = 0; i < 400; i += 1) {
      const { name, body } = mutateReport(report, random);
      kinds.add(name.replace(/[@×:].*$/, ''));
      if (!body.equals(report)) changed += 1;
    }
    expect([...kinds].sort()).toEqual(
      [
        'delete',
        'duplicate',
        'empty-ish',
        'flip',
        'insert',
        'json-values',
        'original',
        'truncate',
      ].sort(),
    );
    expect(changed).toBeGreaterThan(300);
  });

  it('keeps JSON-aware mutations parseable so they reach the parsers, not just the tokenizer', () => {
    const random = seededRandom(3);
    const json = Array.from({ length: 400 }, () => mutateReport(report, random)).filter(
      (m) => m.name === 'json-values',
    );
    expect(json.length).toBeGreaterThan(10);
    for (const { body } of json) expect(() => JSON.parse(body.toString('utf8'))).not.toThrow();
    expect(json.some(({ body }) => !body.equals(report))).toBe(true);
  });

  it('gives different streams for different seeds', () => {
    const a = seededRandom(1);
    const b = seededRandom(2);
    const names = (random: () => number): string[] =>
      Array.from({ length: 50 }, () => mutateReport(report, random).name);
    expect(names(a)).not.toEqual(names(b));
  });
});
