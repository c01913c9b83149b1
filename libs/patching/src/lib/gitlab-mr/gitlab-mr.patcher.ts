import type { Secret } from '@hum/config';
import type { GitLabHostConfig } from '../config/patching-config';
import { RestClient, type RestClientOptions } from '../http/rest-client';
import type { PatchContext, PatchOutcome, Patcher, PatchRequest } from '../patcher';
import {
  applyDependencyBump,
  type DependencyBumpOptions,
  lookupDependencyBump,
} from '../repository/dependency-bump';
import { GitLabRepository } from './gitlab-repository';

export interface GitLabMrPatcherOptions {
  readonly host: GitLabHostConfig;
  readonly token: Secret;
  readonly client?: Partial<RestClientOptions>;
}

/** gitlab-mr: a dependency bump as a merge request on a configured GitLab host. */
export class GitLabMrPatcher implements Patcher {
  readonly strategy = 'gitlab-mr' as const;
  private readonly client: RestClient;
  private readonly bump: DependencyBumpOptions;

  constructor(options: GitLabMrPatcherOptions) {
    const { host, token } = options;
    this.client = new RestClient({
      baseUrl: host.apiUrl,
      label: `GitLab (${host.name})`,
      timeoutMs: host.timeout,
      headers: () => ({ 'private-token': token.reveal() }),
      ...options.client,
    });
    this.bump = {
      labels: host.labels,
      draft: false,
      lockfile: host.lockfile,
      autoMerge: host.autoMerge,
      noun: 'merge request',
    };
  }

  private repository(request: PatchRequest): GitLabRepository {
    if (request.target.strategy !== 'gitlab-mr')
      throw new Error(`gitlab-mr patcher given a ${request.target.strategy} target`);
    return new GitLabRepository(this.client, request.target.project);
  }

  apply(request: PatchRequest, context: PatchContext): Promise<PatchOutcome> {
    return applyDependencyBump(this.repository(request), request, this.bump, context);
  }

  lookup(request: PatchRequest): Promise<PatchOutcome | undefined> {
    return lookupDependencyBump(this.repository(request), request, this.bump);
  }
}
