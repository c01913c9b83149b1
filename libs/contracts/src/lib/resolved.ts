import { z } from 'zod';
import { AssetRef, RiskTier, ScanScope, Sha256Hex, Timestamp } from './primitives';

export const RESOLUTION_REASONS = ['absent-from-complete-scan', 'manual'] as const;

/** A finding closed on evidence: a later complete scan of its scope no longer shows it. */
export const FindingResolvedV1 = z
  .object({
    fingerprint: Sha256Hex,
    asset: AssetRef,
    scope: ScanScope,
    lastTier: RiskTier,
    title: z.string().min(1).max(1000),
    reason: z.enum(RESOLUTION_REASONS),
    resolvedByScanId: z.uuid().optional(),
    resolvedAt: Timestamp,
    revision: z.number().int().min(1),
  })
  .strict();
export type FindingResolvedV1 = z.infer<typeof FindingResolvedV1>;
