import { z } from 'zod';
import { markConforming } from './conforming';
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

/**
 * A classified finding around a finding already checked against FindingV1, as every consumed
 * findings.raw message is: checks the classification and lifecycle and marks the whole as
 * conforming, with its JSON built around `findingJson` (the caller's `JSON.stringify(finding)`,
 * which it stores too), so that publishing it neither checks nor serialises the finding a
 * second time (bench/classifier.bench.mjs). The finding must not change afterwards.
 */
export function classifiedAroundCheckedFinding(
  finding: FindingV1,
  classification: ClassifiedFindingV1['classification'],
  lifecycle: ClassifiedFindingV1['lifecycle'],
  findingJson: string = JSON.stringify(finding),
): ClassifiedFindingV1 {
  const event: ClassifiedFindingV1 = {
    finding,
    classification: ClassifiedFindingV1.shape.classification.parse(classification),
    lifecycle: ClassifiedFindingV1.shape.lifecycle.parse(lifecycle),
  };
  // JSON.stringify(event), property by property in the event's own key order.
  const json = `{"finding":${findingJson},"classification":${JSON.stringify(
    event.classification,
  )},"lifecycle":${JSON.stringify(event.lifecycle)}}`;
  markConforming(ClassifiedFindingV1, event, json);
  return event;
}
