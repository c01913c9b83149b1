import type { FindingKind, FindingV1 } from '@hum/contracts';
import type { RiskWeights } from '../policy/risk-policy';
import { factor, type ScoredFactor } from './factor';

const SHOWN_FIX_VERSIONS = 5;

/** `fix`: whether an upgrade exists. Only a vulnerability in a named package can have one. */
export function fixFactor(finding: FindingV1, weights: RiskWeights): ScoredFactor {
  const component = finding.component;
  if (finding.kind !== 'vulnerability' || component === undefined) {
    const what =
      finding.kind === 'vulnerability' ? 'a vulnerability without a package' : `a ${finding.kind}`;
    return factor(
      'fix',
      'not-applicable',
      weights.fix.notApplicable,
      `${what}: there is no version to upgrade to`,
    );
  }
  const fixed = component.fixedVersions;
  if (fixed.length === 0) {
    return factor(
      'fix',
      'unavailable',
      weights.fix.unavailable,
      `no fixed version of ${component.name} is known yet`,
    );
  }
  const shown = fixed.slice(0, SHOWN_FIX_VERSIONS).join(', ');
  const more =
    fixed.length > SHOWN_FIX_VERSIONS ? ` and ${fixed.length - SHOWN_FIX_VERSIONS} more` : '';
  return factor(
    'fix',
    'available',
    weights.fix.available,
    `${component.name} is fixed in ${shown}${more}`,
  );
}

const KIND_NOTES: Readonly<Record<FindingKind, string>> = {
  vulnerability: 'a known vulnerability in a component',
  misconfiguration: 'a configuration that weakens the asset',
  weakness: 'a weakness found in the code by static analysis; its exploitability is not shown',
  secret: 'a leaked credential: usable at once by whoever reads it',
};

export function kindFactor(finding: FindingV1, weights: RiskWeights): ScoredFactor {
  return factor('kind', finding.kind, weights.kind[finding.kind], KIND_NOTES[finding.kind]);
}
