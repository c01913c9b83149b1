import { z } from 'zod';

/**
 * Business criticality, by name rather than by number: CMDBs disagree on whether tier 1 is the
 * most or the least critical, and a reversed scale would invert every score.
 */
export const CRITICALITIES = ['critical', 'high', 'medium', 'low'] as const;
export const Criticality = z.enum(CRITICALITIES);
export type Criticality = z.infer<typeof Criticality>;

/** The usual four-level information classification of a bank, most sensitive first. */
export const DATA_SENSITIVITIES = ['restricted', 'confidential', 'internal', 'public'] as const;
export const DataSensitivity = z.enum(DATA_SENSITIVITIES);
export type DataSensitivity = z.infer<typeof DataSensitivity>;
