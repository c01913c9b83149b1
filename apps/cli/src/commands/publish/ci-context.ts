import { AssetRef } from '@hum/contracts';

type Env = Readonly<Record<string, string | undefined>>;

export interface CiContext {
  commit?: string;
  repository?: string;
  pipelineRun?: string;
}

function join(...parts: (string | undefined)[]): string | undefined {
  return parts.every((part) => part !== undefined && part !== '') ? parts.join('') : undefined;
}

function fromCi(env: Env): CiContext {
  if (env['GITHUB_ACTIONS'] === 'true') {
    const repository = join(env['GITHUB_SERVER_URL'], '/', env['GITHUB_REPOSITORY']);
    return {
      commit: env['GITHUB_SHA'],
      repository,
      pipelineRun: join(repository, '/actions/runs/', env['GITHUB_RUN_ID']),
    };
  }
  if (env['GITLAB_CI'] === 'true') {
    return {
      commit: env['CI_COMMIT_SHA'],
      repository: env['CI_PROJECT_URL'],
      pipelineRun: env['CI_PIPELINE_URL'],
    };
  }
  if (env['TF_BUILD']?.toLowerCase() === 'true') {
    return {
      commit: env['BUILD_SOURCEVERSION'],
      repository: env['BUILD_REPOSITORY_URI'],
      pipelineRun: join(
        env['SYSTEM_COLLECTIONURI'],
        env['SYSTEM_TEAMPROJECT'],
        '/_build/results?buildId=',
        env['BUILD_BUILDID'],
      ),
    };
  }
  if (env['JENKINS_URL'] !== undefined) {
    return { commit: env['GIT_COMMIT'], repository: env['GIT_URL'], pipelineRun: env['BUILD_URL'] };
  }
  return {};
}

/**
 * Commit, repository and run URL from the CI's own variables (GitHub Actions, GitLab CI, Azure
 * Pipelines, Jenkins), so pipelines need not spell them out. Values the contract would refuse
 * (an ssh clone URL, say) are dropped rather than failing a flag the user never gave.
 */
export function detectCiContext(env: Env): CiContext {
  const detected = fromCi(env);
  const context: CiContext = {};
  for (const field of ['commit', 'repository', 'pipelineRun'] as const) {
    const value = detected[field];
    if (value !== undefined && AssetRef.shape[field].safeParse(value).success)
      context[field] = value;
  }
  return context;
}
