import { CvssVector, Cwe, FindingV1, HttpUrl, ToolRef } from '@hum/contracts';
import { z } from 'zod';

/** The marker that makes a JSON document a hum canonical report. */
export const HUM_REPORT_V1 = 'report/v1';

const RuleId = z.string().min(1).max(500);
const ToolName = z.string().min(1).max(100);

/** The fingerprint basis a producer may give; when it gives none, hum derives one. */
export const FingerprintBasisSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('tool'),
      tool: ToolName,
      ruleId: RuleId,
      value: z.string().min(1).max(4000),
    })
    .strict(),
  z
    .object({
      kind: z.literal('dependency'),
      vulnerabilityId: z.string().max(100),
      packageId: z.string().min(1).max(1000),
    })
    .strict(),
  z
    .object({
      kind: z.literal('code'),
      tool: ToolName,
      ruleId: RuleId,
      path: z.string().max(2000),
      anchor: z.string().max(1000),
    })
    .strict(),
  z
    .object({
      kind: z.literal('resource'),
      tool: ToolName,
      ruleId: RuleId,
      resource: z.string().max(4000),
    })
    .strict(),
]);

/**
 * One finding of a hum report: Finding v1 without what the scan adds (scan id, asset, time,
 * fingerprint), with the lists optional and the tool defaulting to the report's. The fields of
 * Finding v1 that `hum parse` prints (fingerprint, scanId, asset, detectedAt) are accepted and
 * ignored, so its output reads back; other unknown top-level fields are ignored too. Nested
 * objects stay strict: an unknown field there is most likely a typo that would lose data.
 */
export const HumFindingSchema = z.object({
  kind: FindingV1.shape.kind,
  title: FindingV1.shape.title,
  description: FindingV1.shape.description,
  rule: FindingV1.shape.rule,
  severity: FindingV1.shape.severity,
  vulnerability: FindingV1.shape.vulnerability,
  cvss: z.array(CvssVector).max(10).default([]),
  cwes: z.array(Cwe).max(20).default([]),
  component: FindingV1.shape.component,
  location: FindingV1.shape.location,
  references: z.array(HttpUrl).max(50).default([]),
  tags: z.array(z.string().min(1).max(100)).max(50).default([]),
  tool: ToolRef.optional(),
  fingerprintBasis: FingerprintBasisSchema.optional(),
});
export type HumFinding = z.infer<typeof HumFindingSchema>;

/** `{"hum": "report/v1", "tool": {...}, "findings": [...]}` */
export const HumReportSchema = z.object({
  hum: z.literal(HUM_REPORT_V1),
  tool: ToolRef,
  findings: z.array(z.unknown()),
});
