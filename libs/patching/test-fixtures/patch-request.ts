import { EXAMPLE_CLASSIFIED, EXAMPLE_FINDING, type FindingV1 } from '@hum/contracts';
import type { PatchContext, PatchRequest, PatchTarget } from '../src';

/** A classified npm finding on a GitHub repository, ready to patch; override what a spec needs. */
export function patchRequest(
  overrides: {
    finding?: Partial<FindingV1>;
    component?: Partial<NonNullable<FindingV1['component']>>;
    target?: PatchTarget;
    toVersion?: string;
  } = {},
): PatchRequest {
  const component = {
    name: 'lodash',
    version: '4.17.15',
    ecosystem: 'npm',
    fixedVersions: ['4.17.21'],
    path: 'package-lock.json',
    ...overrides.component,
  };
  const finding: FindingV1 = {
    ...EXAMPLE_FINDING,
    title: `CVE-2021-23337 in ${component.name}:${component.version}`,
    vulnerability: { id: 'CVE-2021-23337', aliases: ['GHSA-35jh-r3h4-6jhm'] },
    component,
    asset: {
      ...EXAMPLE_FINDING.asset,
      id: 'github.com/bank/payments-api',
      type: 'repository',
      repository: 'https://github.example.test/bank/payments-api',
    },
    ...overrides.finding,
  };
  const toVersion = overrides.toVersion ?? component.fixedVersions[0]!;
  return {
    attemptKey: `${finding.fingerprint}:${toVersion}`,
    finding,
    tier: 'low',
    classification: {
      score: 31.5,
      factors: EXAMPLE_CLASSIFIED.classification.factors.slice(0, 2),
      policyVersion: 'risk-policy@1',
    },
    fix: {
      component: component.name,
      ecosystem: 'npm',
      fromVersion: component.version!,
      toVersion,
    },
    target: overrides.target ?? {
      strategy: 'github-pr',
      host: 'github',
      owner: 'bank',
      repo: 'payments-api',
      repositoryUrl: 'https://github.example.test/bank/payments-api',
    },
  };
}

/** A context whose sleeps move a manual clock instead of waiting. */
export function instantContext(start = Date.now()): PatchContext & {
  readonly elapsedMs: () => number;
} {
  let now = start;
  return {
    signal: new AbortController().signal,
    now: () => new Date(now),
    sleep: (ms: number) => {
      now += ms;
      return Promise.resolve();
    },
    heartbeat: () => Promise.resolve(),
    elapsedMs: () => now - start,
  };
}
