import { z } from 'zod';
import { FindingV1 } from './finding';
import { RiskTier, Timestamp } from './primitives';

/** One reason for a tier: the input the classifier saw and what it added to the score. */
export const RiskFactor = z
  .object({
    name: z.string().min(1).max(100),
    input: z.union([z.string().max(500), z.number(), z.boolean(), z.null()]),
    contribution: z.number(),
    note: z.string().max(500).optional(),
  })
  .strict();
export type RiskFactor = z.infer<typeof RiskFactor>;

export const LIFECYCLE_STATES = ['new', 'open', 'reopened', 'resolved'] as const;
export const LifecycleState = z.enum(LIFECYCLE_STATES);
export type LifecycleState = z.infer<typeof LifecycleState>;

/** Why a classified event was emitted; a repeat sighting with no change emits nothing. */
export const CLASSIFICATION_CHANGES = [
  'new',
  'tier-changed',
  'reopened',
  'intel-changed',
  'acceptance-lapsed',
] as const;
export const ClassificationChange = z.enum(CLASSIFICATION_CHANGES);
export type ClassificationChange = z.infer<typeof ClassificationChange>;

export const ClassifiedFindingV1 = z
  .object({
    finding: FindingV1,
    classification: z
      .object({
        tier: RiskTier,
        score: z.number().min(0).max(100),
        factors: z.array(RiskFactor).max(50),
        policyVersion: z.string().min(1).max(100),
        classifiedAt: Timestamp,
      })
      .strict(),
    lifecycle: z
      .object({
        state: LifecycleState.exclude(['resolved']),
        change: ClassificationChange,
        previousTier: RiskTier.optional(),
        firstSeenAt: Timestamp,
        lastSeenAt: Timestamp,
        /** Increases by one per emitted state change of this fingerprint; consumers drop stale ones. */
        revision: z.number().int().min(1),
      })
      .strict(),
  })
  .strict();
export type ClassifiedFindingV1 = z.infer<typeof ClassifiedFindingV1>;
