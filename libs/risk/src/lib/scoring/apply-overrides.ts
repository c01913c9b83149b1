import type { RiskTier } from '@hum/contracts';
import type { CompiledOverride, OverrideSubject } from '../policy/overrides';
import { describeAction } from '../policy/overrides';
import {
  tierCeilingTenths,
  tierFloorTenths,
  tierForTenths,
  type TierThresholds,
} from '../policy/tiers';
import type { ScoredFactor } from './factor';

export interface OverrideOutcome {
  readonly tenths: number;
  readonly factors: readonly ScoredFactor[];
}

const NONE: readonly ScoredFactor[] = [];

/**
 * Applies the matching overrides in a fixed precedence that does not depend on file order:
 * every ceiling (`maxTier`), then every floor (`minTier`) — so a floor always beats a ceiling,
 * a safety rule beats a noise rule — then the first matching pin (`tier`), which decides.
 * An override moves the score to the nearest score of the tier it sets, so that the tier is
 * always the tier of the score and the contributions still add up. Each matching override is
 * a factor, including those with no effect and those that have expired.
 */
export function applyOverrides(
  overrides: readonly CompiledOverride[],
  subject: OverrideSubject,
  now: Date,
  tenths: number,
  thresholds: TierThresholds,
): OverrideOutcome {
  const active: CompiledOverride[] = [];
  const expired: CompiledOverride[] = [];
  for (const override of overrides) {
    if (override.matches(subject)) (override.isActive(now) ? active : expired).push(override);
  }
  if (active.length === 0 && expired.length === 0) return { tenths, factors: NONE };

  const factors: ScoredFactor[] = [];
  let score = tenths;
  const apply = (override: CompiledOverride, next: number, unchanged: string): void => {
    factors.push(moveFactor(override, score, next, thresholds, unchanged));
    score = next;
  };

  for (const override of active) {
    if (override.action.kind !== 'ceiling') continue;
    const tier = override.action.tier;
    apply(
      override,
      Math.min(score, tierCeilingTenths(tier, thresholds)),
      `the tier ${tierForTenths(score, thresholds)} is already at or below ${tier}`,
    );
  }
  for (const override of active) {
    if (override.action.kind !== 'floor') continue;
    const tier = override.action.tier;
    apply(
      override,
      Math.max(score, tierFloorTenths(tier, thresholds)),
      `the tier ${tierForTenths(score, thresholds)} is already at or above ${tier}`,
    );
  }
  let pinnedBy: CompiledOverride | undefined;
  for (const override of active) {
    if (override.action.kind !== 'pin') continue;
    if (pinnedBy !== undefined) {
      factors.push(idle(override, `override ${pinnedBy.id} pinned the tier first`));
      continue;
    }
    pinnedBy = override;
    const tier = override.action.tier;
    const into = Math.min(
      Math.max(score, tierFloorTenths(tier, thresholds)),
      tierCeilingTenths(tier, thresholds),
    );
    apply(override, into, `the tier is already ${tier}`);
  }
  for (const override of expired) {
    factors.push(idle(override, `expired on ${override.expires ?? '?'}; not applied`));
  }
  return { tenths: score, factors };
}

function moveFactor(
  override: CompiledOverride,
  from: number,
  to: number,
  thresholds: TierThresholds,
  unchanged: string,
): ScoredFactor {
  if (from === to) return idle(override, unchanged);
  const before: RiskTier = tierForTenths(from, thresholds);
  const after: RiskTier = tierForTenths(to, thresholds);
  const verb = to > from ? 'raised' : 'lowered';
  return {
    name: `override:${override.id}`,
    input: describeAction(override.action),
    tenths: to - from,
    note: withDescription(
      override,
      `override ${override.id} ${verb} the tier from ${before} to ${after} ` +
        `(score ${(from / 10).toFixed(1)} to ${(to / 10).toFixed(1)})`,
    ),
  };
}

function idle(override: CompiledOverride, why: string): ScoredFactor {
  return {
    name: `override:${override.id}`,
    input: describeAction(override.action),
    tenths: 0,
    note: withDescription(override, `override ${override.id} matched, no effect: ${why}`),
  };
}

function withDescription(override: CompiledOverride, text: string): string {
  return override.description === undefined ? text : `${text}. ${override.description}`;
}
