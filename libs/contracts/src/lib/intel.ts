import { z } from 'zod';
import { Sha256Hex, Timestamp } from './primitives';

export const INTEL_KINDS = ['kev', 'epss'] as const;
export const IntelKind = z.enum(INTEL_KINDS);
export type IntelKind = z.infer<typeof IntelKind>;

/**
 * A new threat-intelligence snapshot was stored by the classifier (the content stays in its
 * database; the event names it). Consuming it activates the snapshot and re-classifies the open
 * findings whose CVEs entered or left KEV or moved EPSS band, exactly once.
 */
export const IntelUpdatedV1 = z
  .object({
    kind: IntelKind,
    snapshotId: Sha256Hex,
    /** The feed's own date (KEV dateReleased day, EPSS score_date). */
    asOf: z.iso.date(),
    entries: z.number().int().min(0),
    source: z.string().min(1).max(2048),
    storedAt: Timestamp,
  })
  .strict();
export type IntelUpdatedV1 = z.infer<typeof IntelUpdatedV1>;
