import type { Secret } from '@hum/config';
import type { GitHubHostConfig } from '../config/patching-config';
import { RestClient, type RestClientOptions } from '../http/rest-client';
import type { PatchContext, PatchOutcome, Patcher, PatchRequest } from '../patcher';
import {
  applyDependencyBump,
  type DependencyBumpOptions,
  lookupDependencyBump,
} from '../repository/dependency-bump';
import { GitHubRepository } from './github-repository';

export interface GitHubPrPatcherOptions {
  readonly host: GitHubHostConfig;
  readonly token: Secret;
  readonly client?: Partial<RestClientOptions>;
}

/** github-pr: a dependency bump as a pull request on a configured GitHub (or GHES) host. */
export class GitHubPrPatcher implements Patcher {
  readonly strategy = 'github-pr' as const;
  private readonly client: RestClient;
  private readonly bump: DependencyBumpOptions;

  constructor(options: GitHubPrPatcherOptions) {
    const { host, token } = options;
    this.client = new RestClient({
      baseUrl: host.apiUrl,
      label: `GitHub (${host.name})`,
      timeoutMs: host.timeout,
      headers: () => ({
        authorization: `Bearer ${token.reveal()}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
      }),
      ...options.client,
    });
    this.bump = {
      labels: host.labels,
      draft: host.draft,
      lockfile: host.lockfile,
      autoMerge: host.autoMerge,
      noun: 'pull request',
    };
  }

  private repository(request: PatchRequest): GitHubRepository {
    if (request.target.strategy !== 'github-pr')
      throw new Error(`github-pr patcher given a ${request.target.strategy} target`);
    return new GitHubRepository(this.client, request.target.owner, request.target.repo);
  }

  apply(request: PatchRequest, context: PatchContext): Promise<PatchOutcome> {
    return applyDependencyBump(this.repository(request), request, this.bump, context);
  }

  lookup(request: PatchRequest): Promise<PatchOutcome | undefined> {
    return lookupDependencyBump(this.repository(request), request, this.bump);
  }
}
