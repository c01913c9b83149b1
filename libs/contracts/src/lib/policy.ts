import { z } from 'zod';
import { RemediationTier, RiskTier, Timestamp } from './primitives';

export const REMEDIATION_MODES = ['off', 'dry-run', 'on'] as const;
export const RemediationMode = z.enum(REMEDIATION_MODES);
export type RemediationMode = z.infer<typeof RemediationMode>;

export const Budgets = z
  .object({
    patchesPerHour: z.number().int().min(0).max(10_000),
    maxInFlight: z.number().int().min(0).max(1_000),
    /** Per owning team, so one team's backlog cannot use a tier's whole budget. */
    perTeamPerHour: z.number().int().min(0).max(10_000),
    /**
     * Per owning team, patches started and not finished. Optional because records written
     * before it existed must stay valid: absent means the tier's `maxInFlight` (no team cap
     * tighter than the tier's; {@link teamInFlightBudget}).
     */
    perTeamInFlight: z
      .number()
      .int()
      .min(0)
      .max(1_000)
      .optional()
      .describe("Per owning team, patches in flight; absent means the tier's maxInFlight."),
  })
  .strict();
export type Budgets = z.infer<typeof Budgets>;

/** The per-team in-flight budget in force: `perTeamInFlight`, or the tier's `maxInFlight`. */
export function teamInFlightBudget(budgets: Budgets): number {
  return budgets.perTeamInFlight ?? budgets.maxInFlight;
}

const Approval = {
  version: z.number().int().min(0),
  updatedAt: Timestamp,
  /** Who proposed and who approved the change that produced this record. */
  decidedBy: z.array(z.string().min(1).max(200)).max(5),
  proposalId: z.string().min(1).max(100).optional(),
};

export const TierPolicyV1 = z
  .object({
    kind: z.literal('tier'),
    tier: RemediationTier,
    mode: RemediationMode,
    /** Set by the patcher's failure-rate breaker; only an operator resumes. */
    paused: z.boolean(),
    budgets: Budgets,
    slaDays: z.number().int().min(1).max(3650),
    ...Approval,
  })
  .strict();
export type TierPolicyV1 = z.infer<typeof TierPolicyV1>;

export const FreezeWindow = z
  .object({
    start: Timestamp,
    end: Timestamp,
    reason: z.string().min(1).max(500),
    /** Asset id patterns (`*` wildcard); empty means every asset. */
    assets: z.array(z.string().min(1).max(200)).max(500),
  })
  .strict();
export type FreezeWindow = z.infer<typeof FreezeWindow>;

export const GlobalPolicyV1 = z
  .object({
    kind: z.literal('global'),
    killSwitch: z.boolean(),
    freezeWindows: z.array(FreezeWindow).max(100),
    denyList: z.array(z.string().min(1).max(200)).max(1000),
    /** Promotion gate: the highest tier still allowed open when promoting into each stage. */
    gate: z
      .object({
        test: RiskTier.or(z.literal('none')),
        prod: RiskTier.or(z.literal('none')),
      })
      .strict(),
    ...Approval,
  })
  .strict();
export type GlobalPolicyV1 = z.infer<typeof GlobalPolicyV1>;

/** One record per key on the compacted `policy.state` topic: `tier:<tier>` or `global`. */
export const PolicyStateV1 = z.discriminatedUnion('kind', [TierPolicyV1, GlobalPolicyV1]);
export type PolicyStateV1 = z.infer<typeof PolicyStateV1>;

export function policyStateKey(state: PolicyStateV1): string {
  return state.kind === 'tier' ? `tier:${state.tier}` : 'global';
}

export const PolicyKey = z.union([
  z.literal('global'),
  z.templateLiteral(['tier:', RemediationTier]),
]);
