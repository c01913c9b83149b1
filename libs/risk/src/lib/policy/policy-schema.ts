import { ENVIRONMENTS, EXPOSURES, FindingKind, RiskTier } from '@hum/contracts';
import { z } from 'zod';
import { GLOB_PATTERN } from './glob';

/** Points a factor adds to (or, negative, takes from) the 0-100 score. */
const Points = z.number().min(-100).max(100);
const Probability = z.number().min(0).max(1);
const CvssScore = z.number().min(0).max(10);

const hasOneDecimalAtMost = (value: number): boolean =>
  Math.abs(value * 10 - Math.round(value * 10)) < 1e-9;
const Threshold = z
  .number()
  .min(0)
  .max(100)
  .refine(hasOneDecimalAtMost, 'a tier threshold has at most one decimal, as scores do');

const Band = z.strictObject({ atLeast: Probability, points: Points });

/** Bands are matched highest `atLeast` first; below every band a factor adds nothing. */
const Bands = z
  .array(Band)
  .max(20)
  .superRefine((bands, context) => {
    const seen = new Set<number>();
    bands.forEach((band, index) => {
      if (seen.has(band.atLeast)) {
        context.addIssue({
          code: 'custom',
          message: `two bands start at ${band.atLeast}`,
          path: [index, 'atLeast'],
        });
      }
      seen.add(band.atLeast);
    });
  });

const Scoring = z.strictObject({
  cvss: z.strictObject({
    /** CVSS is 0-10; the score is 0-100. */
    pointsPerCvssPoint: z.number().min(0).max(10),
    /** The CVSS-equivalent of the scanner's severity when no vector can be scored. */
    severityFallback: z.strictObject({
      critical: CvssScore,
      high: CvssScore,
      medium: CvssScore,
      low: CvssScore,
      info: CvssScore,
      unknown: CvssScore,
    }),
  }),
  epss: z.strictObject({ probability: Bands, percentile: Bands }),
  kev: z.strictObject({ listed: Points, knownRansomwareUse: Points }),
  environment: z.strictObject({
    prod: Points,
    staging: Points,
    test: Points,
    dev: Points,
    unknown: Points,
  }),
  exposure: z.strictObject({
    internet: Points,
    internal: Points,
    isolated: Points,
    unknown: Points,
  }),
  criticality: z.strictObject({
    critical: Points,
    high: Points,
    medium: Points,
    low: Points,
    unknown: Points,
  }),
  dataSensitivity: z.strictObject({
    restricted: Points,
    confidential: Points,
    internal: Points,
    public: Points,
    unknown: Points,
  }),
  fix: z.strictObject({ available: Points, unavailable: Points, notApplicable: Points }),
  kind: z.strictObject({
    vulnerability: Points,
    weakness: Points,
    misconfiguration: Points,
    secret: Points,
  }),
});
export type ScoringWeights = z.infer<typeof Scoring>;

const Tiers = z
  .strictObject({ critical: Threshold, high: Threshold, medium: Threshold, low: Threshold })
  .superRefine((tiers, context) => {
    const ordered = [
      ['low', 'info'],
      ['medium', 'low'],
      ['high', 'medium'],
      ['critical', 'high'],
    ] as const;
    if (tiers.low <= 0) {
      context.addIssue({
        code: 'custom',
        message: 'low must be above 0, or no score could be info',
        path: ['low'],
      });
    }
    for (const [tier, below] of ordered) {
      if (below !== 'info' && tiers[tier] <= tiers[below]) {
        context.addIssue({
          code: 'custom',
          message: `${tier} (${tiers[tier]}) must be above ${below} (${tiers[below]})`,
          path: [tier],
        });
      }
    }
  });

const globList = (pattern: RegExp, maxLength: number): z.ZodOptional<z.ZodArray<z.ZodString>> =>
  z
    .array(
      z
        .string()
        .min(1)
        .max(maxLength)
        .regex(pattern, 'letters, digits, ._:/@+=- and the wildcards * and ? only'),
    )
    .min(1)
    .max(200)
    .optional();

const ANY_TEXT = /^\S(.*\S)?$/;
const TEAM_GLOB = /^[A-Za-z0-9*?][A-Za-z0-9._ *?-]*$/;

const Match = z
  .strictObject({
    /** Asset id patterns. */
    assets: globList(GLOB_PATTERN, 200),
    /** Owning team patterns (the team after the asset catalogue is applied). */
    teams: globList(TEAM_GLOB, 100),
    /** Scanner rule id patterns (`CKV_AWS_*`, `generic.secrets.*`). */
    rules: z.array(z.string().min(1).max(500).regex(ANY_TEXT)).min(1).max(200).optional(),
    /** Vulnerability id patterns, matched against the id and its aliases, any case. */
    vulnerabilities: globList(GLOB_PATTERN, 100),
    kinds: z.array(FindingKind).min(1).max(4).optional(),
    environments: z
      .array(z.enum([...ENVIRONMENTS, 'unknown']))
      .min(1)
      .optional(),
    exposures: z
      .array(z.enum([...EXPOSURES, 'unknown']))
      .min(1)
      .optional(),
    /** true: only CVEs in CISA KEV; false: only findings with no KEV-listed CVE. */
    kev: z.boolean().optional(),
  })
  .refine(
    (match) => Object.values(match).some((value) => value !== undefined),
    'match names no criterion; to match every finding write assets: ["*"]',
  );
export type OverrideMatch = z.infer<typeof Match>;

const OverrideDefinition = z
  .strictObject({
    id: z
      .string()
      .min(1)
      .max(80)
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes only'),
    description: z.string().min(1).max(300).optional(),
    match: Match,
    /** Pins the tier. */
    tier: RiskTier.optional(),
    /** A floor: the tier is never below this. */
    minTier: RiskTier.optional(),
    /** A ceiling: the tier is never above this, unless a floor or a pin says otherwise. */
    maxTier: RiskTier.optional(),
    /** Last day (UTC) the override applies: accepted risks and exceptions end. */
    expires: z.iso.date().optional(),
  })
  .superRefine((override, context) => {
    // One action per override keeps precedence simple to state: ceilings, then floors, then pins.
    const actions = (['tier', 'minTier', 'maxTier'] as const).filter(
      (action) => override[action] !== undefined,
    );
    if (actions.length !== 1) {
      context.addIssue({
        code: 'custom',
        message:
          actions.length === 0
            ? 'an override needs one of tier, minTier or maxTier'
            : `an override takes one of tier, minTier or maxTier, not ${actions.join(' and ')} (write two overrides)`,
        path: actions.length === 0 ? ['id'] : [actions[1]!],
      });
    }
  });
export type OverrideDefinition = z.infer<typeof OverrideDefinition>;

export const POLICY_VERSION_PATTERN = /^risk-policy@[0-9A-Za-z][0-9A-Za-z._-]*$/;

/** The risk policy file, exactly as written: every key known, every value in range. */
export const RiskPolicyDocument = z
  .strictObject({
    /** Bumped with every change: classified events carry it, so a tier names its rules. */
    version: z
      .string()
      .max(100)
      .regex(POLICY_VERSION_PATTERN, 'expected risk-policy@<revision>, e.g. risk-policy@1'),
    description: z.string().max(2000).optional(),
    scoring: Scoring,
    tiers: Tiers,
    overrides: z.array(OverrideDefinition).max(500),
  })
  .superRefine((policy, context) => {
    const seen = new Set<string>();
    policy.overrides.forEach((override, index) => {
      if (seen.has(override.id)) {
        context.addIssue({
          code: 'custom',
          message: `override id "${override.id}" is used twice`,
          path: ['overrides', index, 'id'],
        });
      }
      seen.add(override.id);
    });
  });
export type RiskPolicyDocument = z.infer<typeof RiskPolicyDocument>;
