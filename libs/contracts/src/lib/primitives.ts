import { z } from 'zod';

/** Risk tiers the classifier assigns, most severe first. */
export const RISK_TIERS = ['critical', 'high', 'medium', 'low', 'info'] as const;
export const RiskTier = z.enum(RISK_TIERS);
export type RiskTier = z.infer<typeof RiskTier>;

/** Tiers automation can be switched on for; `info` is never patched or ticketed by default. */
export const REMEDIATION_TIERS = ['critical', 'high', 'medium', 'low'] as const;
export const RemediationTier = z.enum(REMEDIATION_TIERS);
export type RemediationTier = z.infer<typeof RemediationTier>;

/** Severity as a scanner reported it, mapped onto one scale; `unknown` when it said nothing usable. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info', 'unknown'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

export const FINDING_KINDS = ['vulnerability', 'weakness', 'misconfiguration', 'secret'] as const;
export const FindingKind = z.enum(FINDING_KINDS);
export type FindingKind = z.infer<typeof FindingKind>;

export const ENVIRONMENTS = ['prod', 'staging', 'test', 'dev'] as const;
export const Environment = z.enum(ENVIRONMENTS);
export type Environment = z.infer<typeof Environment>;

export const ASSET_TYPES = [
  'repository',
  'container-image',
  'host',
  'kubernetes-cluster',
  'cloud-account',
  'web-application',
  'package',
  'other',
] as const;
export const AssetType = z.enum(ASSET_TYPES);
export type AssetType = z.infer<typeof AssetType>;

export const EXPOSURES = ['internet', 'internal', 'isolated'] as const;
export const Exposure = z.enum(EXPOSURES);
export type Exposure = z.infer<typeof Exposure>;

export const Sha256Hex = z.string().regex(/^[a-f0-9]{64}$/, 'expected a lowercase hex SHA-256');
export const Timestamp = z.iso.datetime({ offset: true });
export const HttpUrl = z.url({ protocol: /^https?$/ }).max(2048);

// The patterns of the rules below, for the straight-line checks that mirror them.
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@+=-]*$/;
export const TEAM_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._ -]*$/;
export const COMMIT_PATTERN = /^[0-9a-f]{7,64}$/i;

/** Identifiers that travel in keys, labels and URLs: printable, no whitespace, bounded. */
export const Identifier = z
  .string()
  .min(1)
  .max(200)
  .regex(IDENTIFIER_PATTERN, 'letters, digits and ._:/@+=- only, no spaces');

export const TeamName = z
  .string()
  .min(1)
  .max(100)
  .regex(TEAM_NAME_PATTERN, 'letters, digits, space and ._- only');

/** Where a finding lives: the thing that gets patched and whose owners get the ticket. */
export const AssetRef = z
  .object({
    id: Identifier,
    type: AssetType,
    environment: Environment.optional(),
    team: TeamName.optional(),
    owner: z.string().min(1).max(200).optional(),
    exposure: Exposure.optional(),
    repository: HttpUrl.optional(),
    commit: z.string().regex(COMMIT_PATTERN, 'expected a commit hash').optional(),
    pipelineRun: HttpUrl.optional(),
  })
  .strict();
export type AssetRef = z.infer<typeof AssetRef>;

export const ToolRef = z
  .object({
    name: z.string().min(1).max(100),
    version: z.string().min(1).max(100).optional(),
  })
  .strict();
export type ToolRef = z.infer<typeof ToolRef>;

/** The unit a complete scan speaks for: findings absent from a complete scan of a scope are resolved. */
export const ScanScope = z
  .object({
    assetId: Identifier,
    tool: z.string().min(1).max(100),
  })
  .strict();
export type ScanScope = z.infer<typeof ScanScope>;

export function scanScopeKey(scope: ScanScope): string {
  return `${scope.assetId}|${scope.tool.toLowerCase()}`;
}
