import { z } from 'zod';
import { Budgets, FreezeWindow, RemediationMode, RemediationTier, RiskTier } from '@hum/contracts';

/** The promotion gate's threshold: the highest tier still allowed open, or `none`. */
export const GateThreshold = RiskTier.or(z.literal('none'));
export type GateThreshold = z.infer<typeof GateThreshold>;

/**
 * What a proposal asks to change on one tier. Only the fields given change; budgets may be
 * given in part.
 */
export const TierChange = z
  .object({
    kind: z.literal('tier'),
    tier: RemediationTier,
    mode: RemediationMode.optional(),
    budgets: Budgets.partial().strict().optional(),
    slaDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict();
export type TierChange = z.infer<typeof TierChange>;

/**
 * What a proposal asks to change on the global record. Freeze windows and the deny list are
 * replaced as a whole, so the approver sees exactly the list that will apply.
 */
export const GlobalChange = z
  .object({
    kind: z.literal('global'),
    killSwitch: z.boolean().optional(),
    freezeWindows: z
      .array(FreezeWindow)
      .max(100)
      .superRefine((windows, ctx) => {
        windows.forEach((window, index) => {
          if (Date.parse(window.end) <= Date.parse(window.start)) {
            ctx.addIssue({
              code: 'custom',
              path: [index, 'end'],
              message: 'a freeze window must end after it starts',
            });
          }
        });
      })
      .optional(),
    denyList: z.array(z.string().min(1).max(200)).max(1000).optional(),
    gate: z
      .object({ test: GateThreshold.optional(), prod: GateThreshold.optional() })
      .strict()
      .optional(),
  })
  .strict();
export type GlobalChange = z.infer<typeof GlobalChange>;

export const PolicyChange = z.discriminatedUnion('kind', [TierChange, GlobalChange]);
export type PolicyChange = z.infer<typeof PolicyChange>;

/** The policy.state key a change applies to: `tier:<tier>` or `global`. */
export type PolicyRecordKey = `tier:${z.infer<typeof RemediationTier>}` | 'global';

export function policyKeyOf(change: PolicyChange): PolicyRecordKey {
  return change.kind === 'tier' ? `tier:${change.tier}` : 'global';
}
