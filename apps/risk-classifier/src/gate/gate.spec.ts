import { evaluateGate, type OpenFinding } from './gate';

const finding = (tier: OpenFinding['tier'], score: number, accepted = false): OpenFinding => ({
  fingerprint: `${tier}-${score}`,
  title: tier,
  tier,
  score,
  vulnerabilityId: undefined,
  firstSeenAt: '2026-11-01T00:00:00.000Z',
  accepted,
});

describe('evaluateGate', () => {
  it('blocks on findings above the threshold, most severe first', () => {
    const verdict = evaluateGate(
      [finding('medium', 50), finding('critical', 95), finding('high', 75)],
      'medium',
    );
    expect(verdict.pass).toBe(false);
    expect(verdict.blocking.map((f) => f.tier)).toEqual(['critical', 'high']);
    expect(verdict.openByTier).toMatchObject({ critical: 1, high: 1, medium: 1 });
  });

  it('passes when only findings at or below the threshold are open', () => {
    expect(evaluateGate([finding('medium', 50), finding('low', 20)], 'medium').pass).toBe(true);
  });

  it('does not let accepted risks block, but reports them', () => {
    const verdict = evaluateGate([finding('high', 80, true)], 'medium');
    expect(verdict).toMatchObject({
      pass: true,
      blocking: [],
      accepted: [expect.objectContaining({ tier: 'high' })],
    });
  });

  it("blocks on anything open when the threshold is 'none'", () => {
    expect(evaluateGate([finding('info', 1)], 'none').pass).toBe(false);
    expect(evaluateGate([], 'none').pass).toBe(true);
  });
});
