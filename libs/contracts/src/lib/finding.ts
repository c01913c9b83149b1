import { z } from 'zod';
import {
  AssetRef,
  FindingKind,
  HttpUrl,
  Severity,
  Sha256Hex,
  Timestamp,
  ToolRef,
} from './primitives';

export const CVSS_VERSIONS = ['2.0', '3.0', '3.1', '4.0'] as const;
export const CvssVersion = z.enum(CVSS_VERSIONS);
export type CvssVersion = z.infer<typeof CvssVersion>;

/** A CVSS vector as the advisory gave it; the classifier computes the score from the vector. */
export const CvssVector = z
  .object({
    version: CvssVersion,
    vector: z.string().min(1).max(300),
    /** The score the source printed, kept for comparison; never trusted over the vector. */
    reportedScore: z.number().min(0).max(10).optional(),
    source: z.string().min(1).max(100).optional(),
  })
  .strict();
export type CvssVector = z.infer<typeof CvssVector>;

export const VulnerabilityRef = z
  .object({
    /** Preferred id: the CVE when one is known, else GHSA, else what the source used. */
    id: z.string().min(1).max(100),
    aliases: z.array(z.string().min(1).max(100)).max(50),
  })
  .strict();
export type VulnerabilityRef = z.infer<typeof VulnerabilityRef>;

export const Component = z
  .object({
    name: z.string().min(1).max(500),
    version: z.string().min(1).max(200).optional(),
    purl: z.string().startsWith('pkg:').max(1000).optional(),
    ecosystem: z.string().min(1).max(50).optional(),
    /** Versions the advisory says fix it; the patcher only ever picks from these. */
    fixedVersions: z.array(z.string().min(1).max(200)).max(50),
    /** Where the component was found (lockfile, jar, layer path). */
    path: z.string().min(1).max(2000).optional(),
  })
  .strict();
export type Component = z.infer<typeof Component>;

const LineNumber = z.number().int().min(0);

export const Location = z
  .object({
    path: z.string().min(1).max(2000).optional(),
    startLine: LineNumber.optional(),
    endLine: LineNumber.optional(),
    startColumn: LineNumber.optional(),
    endColumn: LineNumber.optional(),
    snippet: z.string().max(4000).optional(),
    /** Function, class or resource name where the tool gives one. */
    logical: z.string().min(1).max(1000).optional(),
    /** For web findings (DAST): the URL, method and parameter. */
    url: z.string().min(1).max(4000).optional(),
    method: z.string().min(1).max(20).optional(),
    parameter: z.string().min(1).max(500).optional(),
  })
  .strict();
export type Location = z.infer<typeof Location>;

export const Cwe = z.string().regex(/^CWE-\d{1,5}$/, 'expected CWE-<number>');

/**
 * Canonical Finding v1: what every report format is mapped to, and the payload of
 * `findings.raw`. The fingerprint is stable across line shifts and re-runs.
 */
export const FindingV1 = z
  .object({
    fingerprint: Sha256Hex,
    scanId: z.uuid(),
    kind: FindingKind,
    title: z.string().min(1).max(1000),
    description: z.string().max(32_000).optional(),
    rule: z
      .object({
        id: z.string().min(1).max(500),
        name: z.string().min(1).max(1000).optional(),
        helpUri: z.string().max(2048).optional(),
      })
      .strict()
      .optional(),
    severity: z
      .object({
        /** Exactly what the scanner said ("error", "HIGH", "7.5", "Negligible"), if anything. */
        reported: z.string().max(100).optional(),
        normalized: Severity,
      })
      .strict(),
    vulnerability: VulnerabilityRef.optional(),
    cvss: z.array(CvssVector).max(10),
    cwes: z.array(Cwe).max(20),
    component: Component.optional(),
    location: Location.optional(),
    references: z.array(HttpUrl).max(50),
    tags: z.array(z.string().min(1).max(100)).max(50),
    tool: ToolRef,
    asset: AssetRef,
    detectedAt: Timestamp,
  })
  .strict();
export type FindingV1 = z.infer<typeof FindingV1>;
