import { z } from 'zod';
import { AssetRef, RemediationTier, Sha256Hex, TeamName, Timestamp } from './primitives';

export const REMEDIATION_STATUSES = ['planned', 'applied', 'failed', 'skipped'] as const;
export const RemediationStatus = z.enum(REMEDIATION_STATUSES);
export type RemediationStatus = z.infer<typeof RemediationStatus>;

export const PATCH_STRATEGIES = ['github-pr', 'gitlab-mr', 'awx-job', 'webhook'] as const;
export const PatchStrategyName = z.enum(PATCH_STRATEGIES);
export type PatchStrategyName = z.infer<typeof PatchStrategyName>;

export const RemediationEventV1 = z
  .object({
    /** Deterministic per fingerprint + fix, so a redelivered decision maps to the same attempt. */
    attemptKey: z.string().min(1).max(300),
    fingerprint: Sha256Hex,
    asset: AssetRef,
    team: TeamName.optional(),
    tier: RemediationTier,
    title: z.string().min(1).max(1000),
    status: RemediationStatus,
    /** Machine-readable reasons (e.g. `tier-off`, `budget-exhausted`, `no-fix-version`). */
    reasons: z.array(z.string().min(1).max(100)).max(20),
    detail: z.string().max(4000).optional(),
    strategy: PatchStrategyName.optional(),
    fix: z
      .object({
        component: z.string().min(1).max(500),
        ecosystem: z.string().min(1).max(50).optional(),
        fromVersion: z.string().min(1).max(200).optional(),
        toVersion: z.string().min(1).max(200),
      })
      .strict()
      .optional(),
    url: z.string().max(2048).optional(),
    policyVersion: z.string().min(1).max(100),
    decidedAt: Timestamp,
  })
  .strict();
export type RemediationEventV1 = z.infer<typeof RemediationEventV1>;
