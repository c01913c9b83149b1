import type { TierPolicyV1 } from '@hum/contracts';

/** The patcher's own failure-rate pause of a tier, as its ledger holds it. */
export interface LocalPause {
  /** The tier's policy version at which policy.state first showed the pause; null: not yet. */
  readonly handedOverAt: number | null;
}

export type PauseHandover =
  | { readonly action: 'none' }
  /** policy-admin recorded the pause in policy.state: from now on an admin's resume lifts it. */
  | { readonly action: 'hand-over'; readonly version: number }
  /** An admin resumed the tier in policy.state after the pause was handed over. */
  | { readonly action: 'resume'; readonly version: number; readonly decidedBy: readonly string[] };

/**
 * How the patcher's local pause of a tier follows policy.state. The breaker pauses at once in
 * the patcher's own ledger (safe even while policy-admin is down); policy-admin reads the
 * audit entry and sets `paused` in policy.state; an admin's resume there clears it. A record
 * that says `paused: false` lifts the local pause only if it is newer than the record that
 * showed the pause — a policy change made before policy-admin recorded the pause (a budget
 * edit, say) must not lift it. Pure: the same pause and policy always give the same answer.
 */
export function pauseHandover(pause: LocalPause, tier: TierPolicyV1): PauseHandover {
  if (pause.handedOverAt === null)
    return tier.paused ? { action: 'hand-over', version: tier.version } : { action: 'none' };
  if (!tier.paused && tier.version > pause.handedOverAt)
    return { action: 'resume', version: tier.version, decidedBy: tier.decidedBy };
  return { action: 'none' };
}
