import { z } from 'zod';
import { AssetRef, ScanScope, Severity, Timestamp, ToolRef } from './primitives';

export const SeverityCounts = z
  .object(
    Object.fromEntries(Severity.options.map((s) => [s, z.number().int().min(0)])) as Record<
      Severity,
      z.ZodNumber
    >,
  )
  .strict();
export type SeverityCounts = z.infer<typeof SeverityCounts>;

export const SCAN_SOURCES = ['gateway', 'cli', 'pipeline'] as const;

/**
 * Published after the last finding of a scan, in the same transaction. `findingCount` is the
 * number of distinct fingerprints, so the classifier can tell a complete scan (it has seen
 * them all) from a partial one, and only a complete scan may resolve findings.
 */
export const ScanCompletedV1 = z
  .object({
    scanId: z.uuid(),
    scope: ScanScope,
    asset: AssetRef,
    tool: ToolRef,
    format: z.string().min(1).max(50),
    findingCount: z.number().int().min(0),
    severityCounts: SeverityCounts,
    source: z.enum(SCAN_SOURCES),
    startedAt: Timestamp.optional(),
    completedAt: Timestamp,
  })
  .strict();
export type ScanCompletedV1 = z.infer<typeof ScanCompletedV1>;
