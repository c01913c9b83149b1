import { z } from 'zod';

// The fields hum reads from GitLab security reports (schemas 2.x to 15.x). Unknown fields pass;
// fields hum reads must have the documented type. Analyzers write `null` for absent optionals
// often enough that `null` is accepted wherever a field is optional.
const text = z.string().nullish();

export const GitlabIdentifier = z.object({
  type: text,
  name: text,
  value: text,
  url: text,
});
export type GitlabIdentifier = z.infer<typeof GitlabIdentifier>;

const GitlabDependency = z.object({
  package: z.object({ name: text }).nullish(),
  version: text,
});

export const GitlabLocation = z.object({
  file: text,
  start_line: z.number().int().min(0).nullish(),
  end_line: z.number().int().min(0).nullish(),
  class: text,
  method: text,
  dependency: GitlabDependency.nullish(),
  operating_system: text,
  image: text,
});
export type GitlabLocation = z.infer<typeof GitlabLocation>;

const GitlabTracking = z.object({
  items: z
    .array(
      z.object({
        file: text,
        signatures: z.array(z.object({ algorithm: z.string(), value: z.string() })).nullish(),
      }),
    )
    .nullish(),
});

const GitlabScanner = z.object({ id: text, name: text, version: text });

export const GitlabVulnerability = z.object({
  id: text,
  category: text,
  name: text,
  message: text,
  description: text,
  cve: text,
  severity: text,
  confidence: text,
  solution: text,
  scanner: GitlabScanner.nullish(),
  identifiers: z.array(GitlabIdentifier).nullish(),
  links: z.array(z.object({ name: text, url: text })).nullish(),
  location: GitlabLocation.nullish(),
  cvss_vectors: z.array(z.object({ vendor: text, vector: z.string() })).nullish(),
  tracking: GitlabTracking.nullish(),
  flags: z.array(z.object({ type: text })).nullish(),
  /** Read only to scrub a leaked secret from title and description; never copied. */
  raw_source_code_extract: text,
});
export type GitlabVulnerability = z.infer<typeof GitlabVulnerability>;

export const GitlabReportHeader = z.object({
  version: text,
  vulnerabilities: z.array(z.unknown()),
  scan: z
    .object({
      type: text,
      scanner: GitlabScanner.nullish(),
      analyzer: GitlabScanner.nullish(),
    })
    .nullish(),
  dependency_files: z.array(z.object({ path: text, package_manager: text })).nullish(),
});
export type GitlabReportHeader = z.infer<typeof GitlabReportHeader>;
