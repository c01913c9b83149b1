import type { FindingV1 } from '@hum/contracts';
import type { FixVersion } from '@hum/policy';
import { compileGlob } from '@hum/risk';
import type {
  GitHubHostConfig,
  GitLabHostConfig,
  PatchingConfig,
  PatchRule,
} from '../config/patching-config';
import { EDITABLE_ECOSYSTEMS } from '../manifests/manifest-plan';

/**
 * Where a patch goes, resolved from configuration before anything is sent. Finding data only
 * ever selects among configured hosts: it names a repository path or a host name, never a
 * network location.
 */
export type PatchTarget =
  | {
      readonly strategy: 'github-pr';
      readonly host: string;
      readonly owner: string;
      readonly repo: string;
      readonly repositoryUrl: string;
    }
  | {
      readonly strategy: 'gitlab-mr';
      readonly host: string;
      /** `group/subgroup/project`. */
      readonly project: string;
      readonly repositoryUrl: string;
    }
  | {
      readonly strategy: 'awx-job';
      readonly host: string;
      /** The inventory host the job is limited to (the asset id). */
      readonly limit: string;
    }
  | { readonly strategy: 'webhook'; readonly host: string };

export type TargetRefusal =
  /** No rule matches the finding, or the matching strategy cannot patch its ecosystem. */
  | 'no-strategy'
  /** The finding points outside what the configuration allows (another host, owner, group). */
  | 'target-not-allowed';

export type TargetChoice =
  | { readonly ok: true; readonly target: PatchTarget; readonly rule: PatchRule }
  | { readonly ok: false; readonly reason: TargetRefusal; readonly detail: string };

const PATH_SEGMENT = /^[A-Za-z0-9_.-]+$/;
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

function matchesRule(rule: PatchRule, finding: FindingV1, fix: FixVersion): boolean {
  const when = rule.when;
  if (when.kinds && !when.kinds.includes(finding.kind)) return false;
  if (when.assetTypes && !when.assetTypes.includes(finding.asset.type)) return false;
  if (when.ecosystems && !when.ecosystems.includes(fix.ecosystem)) return false;
  if (
    when.environments &&
    (!finding.asset.environment || !when.environments.includes(finding.asset.environment))
  )
    return false;
  if (when.assets && !when.assets.some((pattern) => compileGlob(pattern).matches(finding.asset.id)))
    return false;
  return true;
}

/**
 * The repository path a finding names on a configured host: from `asset.repository`, else
 * from an asset id shaped like `host/owner/repo`. Undefined when it is on another host, under
 * another path, or not a plain path (`..`, `%2e`, credentials, a query).
 */
export function repositoryPathOn(webUrl: string, finding: FindingV1): string[] | undefined {
  const base = new URL(webUrl);
  const candidate = finding.asset.repository ?? `${base.protocol}//${finding.asset.id}`;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return undefined;
  }
  if (url.protocol !== base.protocol || url.host.toLowerCase() !== base.host.toLowerCase())
    return undefined;
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '')
    return undefined;
  const prefix = base.pathname.replace(/\/+$/, '');
  if (!url.pathname.startsWith(`${prefix}/`)) return undefined;
  const segments = url.pathname
    .slice(prefix.length + 1)
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .split('/');
  if (segments.some((s) => !PATH_SEGMENT.test(s) || s === '.' || s === '..')) return undefined;
  return segments;
}

function githubTarget(host: GitHubHostConfig, finding: FindingV1): TargetChoice | PatchTarget {
  const segments = repositoryPathOn(host.webUrl, finding);
  if (segments === undefined || segments.length !== 2)
    return {
      ok: false,
      reason: 'target-not-allowed',
      detail: `${finding.asset.repository ?? finding.asset.id} is not a repository on ${host.webUrl}`,
    };
  const [owner, repo] = segments as [string, string];
  if (host.owners.length > 0 && !host.owners.some((p) => compileGlob(p).matches(owner)))
    return {
      ok: false,
      reason: 'target-not-allowed',
      detail: `owner ${owner} is not among the owners allowed on ${host.name}`,
    };
  return {
    strategy: 'github-pr',
    host: host.name,
    owner,
    repo,
    repositoryUrl: `${host.webUrl.replace(/\/+$/, '')}/${owner}/${repo}`,
  };
}

function gitlabTarget(host: GitLabHostConfig, finding: FindingV1): TargetChoice | PatchTarget {
  const segments = repositoryPathOn(host.webUrl, finding);
  // GitLab puts `/-/` before non-project paths; a project has a group and a name at least.
  if (segments === undefined || segments.length < 2 || segments.includes('-'))
    return {
      ok: false,
      reason: 'target-not-allowed',
      detail: `${finding.asset.repository ?? finding.asset.id} is not a project on ${host.webUrl}`,
    };
  const project = segments.join('/');
  const group = segments.slice(0, -1).join('/');
  if (host.groups.length > 0 && !host.groups.some((p) => compileGlob(p).matches(group)))
    return {
      ok: false,
      reason: 'target-not-allowed',
      detail: `group ${group} is not among the groups allowed on ${host.name}`,
    };
  return {
    strategy: 'gitlab-mr',
    host: host.name,
    project,
    repositoryUrl: `${host.webUrl.replace(/\/+$/, '')}/${project}`,
  };
}

/**
 * Chooses how a fix is applied: the first rule (in file order) matching the finding's kind,
 * asset type, ecosystem, environment and asset id, resolved against its configured host.
 */
export function selectPatchTarget(
  config: PatchingConfig,
  finding: FindingV1,
  fix: FixVersion,
): TargetChoice {
  const rule = config.rules.find((candidate) => matchesRule(candidate, finding, fix));
  if (rule === undefined)
    return {
      ok: false,
      reason: 'no-strategy',
      detail: `no rule matches a ${finding.kind} in a ${fix.ecosystem} component on a ${finding.asset.type}`,
    };
  let resolved: TargetChoice | PatchTarget;
  switch (rule.use) {
    case 'github-pr':
    case 'gitlab-mr': {
      if (!EDITABLE_ECOSYSTEMS.includes(fix.ecosystem))
        return {
          ok: false,
          reason: 'no-strategy',
          detail: `${rule.use} cannot edit ${fix.ecosystem} manifests`,
        };
      resolved =
        rule.use === 'github-pr'
          ? githubTarget(
              config.github.find((h) => h.name === rule.target)!,
              finding,
            )
          : gitlabTarget(
              config.gitlab.find((h) => h.name === rule.target)!,
              finding,
            );
      break;
    }
    case 'awx-job':
      resolved = HOST_NAME.test(finding.asset.id)
        ? { strategy: 'awx-job', host: rule.target, limit: finding.asset.id }
        : {
            ok: false,
            reason: 'target-not-allowed',
            detail: `asset id ${finding.asset.id} is not an inventory host name`,
          };
      break;
    case 'webhook':
      resolved = { strategy: 'webhook', host: rule.target };
      break;
  }
  return 'ok' in resolved ? resolved : { ok: true, target: resolved, rule };
}
