import type { ClassificationChange, LifecycleState, RiskTier } from '@hum/contracts';

/** What the inventory knows of a finding before this sighting. */
export interface InventoryState {
  state: 'open' | 'resolved';
  tier: RiskTier;
  /** In the classifier's KEV snapshot when last classified. */
  kev: boolean;
  revision: number;
}

export type SightingDecision =
  /** First time this fingerprint is seen: store it and announce it. */
  | { kind: 'create'; emit: { state: 'new'; change: 'new'; revision: 1 } }
  /** Seen again, nothing a ticket cares about changed: update lastSeen, emit nothing. */
  | { kind: 'touch' }
  /** Seen again and something changed: store and announce with the next revision. */
  | {
      kind: 'update';
      emit: {
        state: Exclude<LifecycleState, 'new' | 'resolved'>;
        change: ClassificationChange;
        previousTier?: RiskTier;
        revision: number;
      };
    };

/**
 * The lifecycle new -> open -> resolved -> reopened, for one sighting: a repeat sighting that
 * changes nothing emits nothing; a tier change or a return after resolution emits the next
 * revision, so downstream consumers can drop anything older than what they have.
 */
export function decideSighting(
  before: InventoryState | undefined,
  tier: RiskTier,
): SightingDecision {
  if (before === undefined)
    return { kind: 'create', emit: { state: 'new', change: 'new', revision: 1 } };
  const revision = before.revision + 1;
  if (before.state === 'resolved') {
    return {
      kind: 'update',
      emit: {
        state: 'reopened',
        change: 'reopened',
        revision,
        ...(before.tier !== tier ? { previousTier: before.tier } : {}),
      },
    };
  }
  if (before.tier !== tier) {
    return {
      kind: 'update',
      emit: { state: 'open', change: 'tier-changed', previousTier: before.tier, revision },
    };
  }
  return { kind: 'touch' };
}

/**
 * Re-classification after new threat intelligence: announce when the tier moved or the
 * finding entered or left the KEV catalogue (a ticket should say so even if the tier holds).
 */
export function decideReclassification(
  before: InventoryState,
  after: { tier: RiskTier; kev: boolean },
): SightingDecision {
  if (before.state !== 'open') return { kind: 'touch' };
  if (before.tier === after.tier && before.kev === after.kev) return { kind: 'touch' };
  return {
    kind: 'update',
    emit: {
      state: 'open',
      change: 'intel-changed',
      revision: before.revision + 1,
      ...(before.tier !== after.tier ? { previousTier: before.tier } : {}),
    },
  };
}

export interface BreakerPolicy {
  /** Largest share of a scope's open findings one scan may resolve (0..1). */
  maxShare: number;
  /** Below this many open findings the breaker does not apply (one fix of one finding is 100%). */
  minOpen: number;
}

export type ResolutionDecision =
  | { kind: 'resolve'; fingerprints: readonly string[] }
  | { kind: 'blocked'; wouldResolve: number; open: number; share: number };

/**
 * The mass-closure breaker: a complete scan that would resolve more than `maxShare` of its
 * scope's open findings resolves nothing — a broken scanner must not close a hundred tickets.
 */
export function decideResolution(
  openInScope: number,
  absent: readonly string[],
  breaker: BreakerPolicy,
): ResolutionDecision {
  if (absent.length === 0) return { kind: 'resolve', fingerprints: [] };
  const share = openInScope === 0 ? 0 : absent.length / openInScope;
  if (openInScope >= breaker.minOpen && share > breaker.maxShare) {
    return { kind: 'blocked', wouldResolve: absent.length, open: openInScope, share };
  }
  return { kind: 'resolve', fingerprints: absent };
}
