import { z } from 'zod';
import { envBool, envEnum, secret } from './fields';
import { requiredWhen } from './required-when';

const schema = z
  .object({
    AUTO_PATCH: envBool().default(false),
    PATCHER: envEnum(['github-pr', 'awx-job']).optional(),
    GITHUB_TOKEN: secret().optional(),
    AWX_TOKEN: secret().optional(),
  })
  .check(
    requiredWhen({ AUTO_PATCH: true }, ['PATCHER']),
    requiredWhen({ AUTO_PATCH: true, PATCHER: 'github-pr' }, ['GITHUB_TOKEN']),
  );

function problems(input: Record<string, string>): string[] {
  const result = schema.safeParse(input);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('requiredWhen', () => {
  it('is silent while the condition does not hold', () => {
    expect(problems({})).toEqual([]);
    expect(problems({ AUTO_PATCH: 'false', PATCHER: 'github-pr' })).toEqual([]);
  });

  it('names the variable and the condition', () => {
    expect(problems({ AUTO_PATCH: 'true' })).toEqual(['PATCHER: required when AUTO_PATCH is true']);
    expect(problems({ AUTO_PATCH: 'yes', PATCHER: 'github-pr' })).toEqual([
      'GITHUB_TOKEN: required when AUTO_PATCH is true and PATCHER is github-pr',
    ]);
    expect(problems({ AUTO_PATCH: '1', PATCHER: 'awx-job' })).toEqual([]);
  });

  it('still runs when another variable is invalid, so all problems surface together', () => {
    expect(problems({ AUTO_PATCH: 'true', PATCHER: 'github-pr', AWX_TOKEN: '' })).toEqual([
      'GITHUB_TOKEN: required when AUTO_PATCH is true and PATCHER is github-pr',
    ]);
    const result = schema.safeParse({ AUTO_PATCH: 'true', PATCHER: 'gitlab' });
    expect(result.success).toBe(false);
    // The invalid PATCHER is reported once, as invalid, not also as missing.
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['PATCHER']);
  });
});
