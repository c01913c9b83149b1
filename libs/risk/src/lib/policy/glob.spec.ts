import { anyGlobMatches, compileGlob } from './glob';

describe('compileGlob', () => {
  it.each([
    ['payments-api', 'payments-api', true],
    ['payments-api', 'payments-api-v2', false],
    ['payments-*', 'payments-api', true],
    ['payments-*', 'payments-', true],
    ['payments-*', 'PAYMENTS-api', false],
    ['*-dev', 'ledger-dev', true],
    ['*-dev', 'ledger-dev-2', false],
    ['github.com/bank/*', 'github.com/bank/payments/api', true],
    ['svc-?', 'svc-a', true],
    ['svc-?', 'svc-ab', false],
    ['a.b', 'axb', false],
    ['CKV_AWS_*', 'CKV_AWS_20', true],
    ['pay+ments', 'pay+ments', true],
    ['pay+ments', 'payyments', false],
    ['*', 'anything at all', true],
  ])('%s against %s: %s', (pattern, value, expected) => {
    expect(compileGlob(pattern).matches(value)).toBe(expected);
  });

  it('counts literal characters, so that more specific patterns can be preferred', () => {
    expect(compileGlob('payments-*').literalLength).toBe(9);
    expect(compileGlob('*-dev').literalLength).toBe(4);
    expect(compileGlob('payments-api').isExact).toBe(true);
    expect(compileGlob('payments-?').isExact).toBe(false);
  });

  it('matches when any pattern of a list does, and never for an empty list', () => {
    const globs = ['a-*', 'b-*'].map(compileGlob);
    expect(anyGlobMatches(globs, 'b-1')).toBe(true);
    expect(anyGlobMatches(globs, 'c-1')).toBe(false);
    expect(anyGlobMatches([], 'a-1')).toBe(false);
  });
});
