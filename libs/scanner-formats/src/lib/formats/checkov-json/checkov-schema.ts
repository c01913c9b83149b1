import { z } from 'zod';

// The fields hum reads from `checkov -o json`. Unknown fields pass; read fields must have the
// type Checkov writes. `null` is accepted wherever a field is optional (Checkov writes
// `"severity": null` without a platform key).
const text = z.string().nullish();

export const CheckovFailedCheck = z.object({
  check_id: z.string().trim().min(1),
  check_name: text,
  code_block: z.array(z.tuple([z.number(), z.string()])).nullish(),
  file_path: text,
  repo_file_path: text,
  file_line_range: z.array(z.number().int().min(0)).nullish(),
  resource: text,
  resource_address: text,
  guideline: text,
  severity: text,
  description: text,
  short_description: text,
  details: z.array(z.string()).nullish(),
  bc_category: text,
  vulnerability_details: z
    .object({
      id: text,
      severity: text,
      package_name: text,
      package_version: text,
      package_type: text,
      link: text,
      cvss: z.number().min(0).max(10).nullish(),
      vector: text,
      description: text,
      status: text,
      lowest_fixed_version: text,
      fixed_versions: z.array(z.union([z.string(), z.number()])).nullish(),
      fix_version: text,
    })
    .nullish(),
});
export type CheckovFailedCheck = z.infer<typeof CheckovFailedCheck>;

/** One framework's result: `{ check_type, results: { failed_checks, … }, summary }`. */
export const CheckovCheckTypeResult = z.object({
  check_type: text,
  // Passed and skipped (suppressed) checks are deliberately not read.
  results: z.object({ failed_checks: z.array(z.unknown()).nullish() }).nullish(),
  summary: z.object({ checkov_version: text }).nullish(),
});
export type CheckovCheckTypeResult = z.infer<typeof CheckovCheckTypeResult>;

/** What Checkov prints instead when nothing was scanned: the counters alone. */
export const CheckovSummaryOnly = z.object({
  checkov_version: text,
  passed: z.number().nullish(),
  failed: z.number().nullish(),
});
