import { z } from 'zod';
import { ConfigFileError, parseDuration, parseYamlConfig } from '@hum/config';
import {
  ASSET_TYPES,
  ENVIRONMENTS,
  FINDING_KINDS,
  PATCH_STRATEGIES,
  type PatchStrategyName,
} from '@hum/contracts';
import { ECOSYSTEMS } from '@hum/policy';

/** A patcher configuration file that must not be used; names line, column and field. */
export class PatchingConfigError extends ConfigFileError {
  override readonly name = 'PatchingConfigError';
}

const Name = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'a lowercase name (letters, digits, -)');
/** Credentials never sit in the file: it names the environment variable that holds them. */
const EnvVariable = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{0,99}$/, 'the name of an environment variable (A-Z, 0-9, _)');
const Url = z.url({ protocol: /^https?$/ }).max(2048);
const AssetGlob = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9*?][A-Za-z0-9._:/@+=*?-]*$/, 'an asset-id glob (* and ? wildcards)');
const Duration = z.union([
  z.number().int().positive(),
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration like 30s, 5m or 1h, got "${text}"`,
      });
      return z.NEVER;
    }
    return ms;
  }),
]);
const Label = z
  .string()
  .min(1)
  .max(50)
  .regex(/^[^,]+$/, 'no commas');

const AutoMerge = z
  .object({
    /** Merge once the base branch's required checks pass; the request stays open otherwise. */
    enabled: z.boolean().default(false),
    method: z.enum(['merge', 'squash', 'rebase']).default('squash'),
    checksTimeout: Duration.default(30 * 60_000),
    pollInterval: Duration.default(15_000),
  })
  .strict();

const repositoryHostFields = {
  name: Name,
  /** REST API root, e.g. https://api.github.com or https://gitlab.example.com/api/v4. */
  apiUrl: Url,
  /** Where repositories live, e.g. https://github.com: finding URLs must be under it. */
  webUrl: Url,
  token: EnvVariable,
  labels: z.array(Label).max(20).default(['security', 'hum-autopatch']),
  autoMerge: AutoMerge.default({
    enabled: false,
    method: 'squash',
    checksTimeout: 30 * 60_000,
    pollInterval: 15_000,
  }),
  /** npm: `note` leaves package-lock.json to a person; `edit` moves its entries. */
  lockfile: z.enum(['note', 'edit']).default('note'),
  timeout: Duration.default(30_000),
};

const GitHubHost = z
  .object({
    ...repositoryHostFields,
    /** Owners (orgs/users) allowed, as globs; empty allows every owner on the host. */
    owners: z.array(AssetGlob).max(200).default([]),
    draft: z.boolean().default(false),
  })
  .strict();

const GitLabHost = z
  .object({
    ...repositoryHostFields,
    /** Group paths allowed, as globs (`platform/*`); empty allows every group. */
    groups: z.array(AssetGlob).max(200).default([]),
  })
  .strict();

const ExtraVar = z.union([z.string().max(1000), z.number(), z.boolean()]);

const AwxHost = z
  .object({
    name: Name,
    /** AWX / Automation Platform controller root, e.g. https://awx.example.com. */
    url: Url,
    token: EnvVariable,
    /** Job template id, or its exact name. */
    jobTemplate: z.union([z.number().int().positive(), z.string().min(1).max(512)]),
    /** Fixed extra vars for every launch; hum adds its own `hum_*` vars. */
    extraVars: z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/), ExtraVar).default({}),
    pollInterval: Duration.default(10_000),
    timeout: Duration.default(60 * 60_000),
  })
  .strict();

const WebhookHost = z
  .object({
    name: Name,
    /** The executor's endpoint; results are polled at `<url>/<attemptKey>`. */
    url: Url,
    /** The environment variable holding the HMAC secret (signs requests, verifies callbacks). */
    secret: EnvVariable,
    /** `callback`: the executor calls hum back; `poll`: hum asks until it has an answer. */
    result: z.enum(['callback', 'poll']).default('callback'),
    pollInterval: Duration.default(30_000),
    timeout: Duration.default(2 * 60 * 60_000),
  })
  .strict();

const Rule = z
  .object({
    name: z.string().min(1).max(100).optional(),
    /** Every listed condition must hold; an absent one matches anything. */
    when: z
      .object({
        kinds: z.array(z.enum(FINDING_KINDS)).min(1).optional(),
        assetTypes: z.array(z.enum(ASSET_TYPES)).min(1).optional(),
        ecosystems: z.array(z.enum(ECOSYSTEMS)).min(1).optional(),
        environments: z.array(z.enum(ENVIRONMENTS)).min(1).optional(),
        assets: z.array(AssetGlob).min(1).optional(),
      })
      .strict()
      .default({}),
    use: z.enum(PATCH_STRATEGIES),
    /** The name of a configured host of that strategy. */
    target: Name,
  })
  .strict();

const SECTION: Record<PatchStrategyName, 'github' | 'gitlab' | 'awx' | 'webhook'> = {
  'github-pr': 'github',
  'gitlab-mr': 'gitlab',
  'awx-job': 'awx',
  webhook: 'webhook',
};

export const PatchingConfigDocument = z
  .object({
    version: z.literal(1),
    github: z.array(GitHubHost).default([]),
    gitlab: z.array(GitLabHost).default([]),
    awx: z.array(AwxHost).default([]),
    webhook: z.array(WebhookHost).default([]),
    /** First match wins; a finding no rule matches is skipped with `no-strategy`. */
    rules: z.array(Rule).default([]),
  })
  .strict()
  .superRefine((document, ctx) => {
    const seen = new Map<string, string>();
    for (const section of ['github', 'gitlab', 'awx', 'webhook'] as const) {
      document[section].forEach((host, index) => {
        const previous = seen.get(host.name);
        if (previous !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [section, index, 'name'],
            message: `"${host.name}" is already the name of ${previous}`,
          });
        else seen.set(host.name, `${section}[${index}]`);
      });
    }
    document.rules.forEach((rule, index) => {
      const section = SECTION[rule.use];
      if (!document[section].some((host) => host.name === rule.target))
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'target'],
          message: `no ${section} host named "${rule.target}" (rules using ${rule.use} need one)`,
        });
    });
  });

export type PatchingConfig = z.output<typeof PatchingConfigDocument>;
export type GitHubHostConfig = PatchingConfig['github'][number];
export type GitLabHostConfig = PatchingConfig['gitlab'][number];
export type AwxHostConfig = PatchingConfig['awx'][number];
export type WebhookHostConfig = PatchingConfig['webhook'][number];
export type PatchRule = PatchingConfig['rules'][number];

export function parsePatchingConfig(
  text: string,
  source = 'patcher configuration',
): PatchingConfig {
  return parseYamlConfig(
    text,
    PatchingConfigDocument,
    (issues) => new PatchingConfigError(source, issues),
  );
}

/** The environment variables the file names for credentials, each once. */
export function credentialVariables(config: PatchingConfig): string[] {
  return [
    ...new Set([
      ...config.github.map((h) => h.token),
      ...config.gitlab.map((h) => h.token),
      ...config.awx.map((h) => h.token),
      ...config.webhook.map((h) => h.secret),
    ]),
  ];
}
