import { ApiError, type RestClient, segment } from '../http/rest-client';
import type { FileChange } from '../manifests/manifest-plan';
import type {
  ChangeRequest,
  ChecksState,
  MergeResult,
  RepositoryHost,
} from '../repository/repository-host';

interface GitHubPull {
  number: number;
  html_url: string;
  state: 'open' | 'closed';
  merged_at: string | null;
  mergeable?: boolean | null;
  mergeable_state?: string;
  head: { sha: string; ref: string };
  base: { ref: string };
}

interface CheckRun {
  name: string;
  status: 'queued' | 'in_progress' | 'completed' | string;
  conclusion: string | null;
}

interface CommitStatus {
  context: string;
  state: 'pending' | 'success' | 'failure' | 'error';
}

const SUCCESS_CONCLUSIONS = new Set(['success', 'neutral', 'skipped']);

/** A branch or file path as GitHub's URL templates take it: each segment encoded, `/` kept. */
function path(value: string): string {
  return value.split('/').map(segment).join('/');
}

function toChangeRequest(pull: GitHubPull): ChangeRequest {
  return {
    number: pull.number,
    url: pull.html_url,
    state: pull.merged_at !== null ? 'merged' : pull.state === 'open' ? 'open' : 'closed',
    headSha: pull.head.sha,
    baseBranch: pull.base.ref,
  };
}

/** One GitHub repository through the REST API (git data API for atomic multi-file commits). */
export class GitHubRepository implements RepositoryHost {
  private readonly repo: string;

  constructor(
    private readonly client: RestClient,
    private readonly owner: string,
    private readonly name: string,
  ) {
    this.repo = `/repos/${segment(owner)}/${segment(name)}`;
  }

  get label(): string {
    return `${this.client.label} ${this.owner}/${this.name}`;
  }

  async defaultBranch(): Promise<string> {
    const { data } = await this.client.get<{ default_branch: string }>(this.repo);
    return data.default_branch;
  }

  async readFile(file: string, ref: string): Promise<string | undefined> {
    const response = await this.client.get<{ type: string; encoding?: string; content?: string }>(
      `${this.repo}/contents/${path(file)}`,
      { query: { ref }, accept: [404] },
    );
    if (response.status === 404 || response.data.type !== 'file') return undefined;
    return Buffer.from(response.data.content ?? '', 'base64').toString('utf8');
  }

  async branchHead(branch: string): Promise<string | undefined> {
    const response = await this.client.get<{ object: { sha: string } }>(
      `${this.repo}/git/ref/heads/${path(branch)}`,
      { accept: [404] },
    );
    return response.status === 404 ? undefined : response.data.object.sha;
  }

  async createBranchWithCommit(input: {
    branch: string;
    base: string;
    message: string;
    files: readonly FileChange[];
  }): Promise<{ sha: string } | 'exists'> {
    const baseSha = await this.branchHead(input.base);
    if (baseSha === undefined)
      throw new ApiError(`${this.label}: base branch ${input.base} not found`, 404, 'Not Found');
    const { data: baseCommit } = await this.client.get<{ tree: { sha: string } }>(
      `${this.repo}/git/commits/${segment(baseSha)}`,
    );
    const { data: tree } = await this.client.post<{ sha: string }>(`${this.repo}/git/trees`, {
      base_tree: baseCommit.tree.sha,
      tree: input.files.map((file) => ({
        path: file.path,
        mode: '100644',
        type: 'blob',
        content: file.content,
      })),
    });
    const { data: commit } = await this.client.post<{ sha: string }>(`${this.repo}/git/commits`, {
      message: input.message,
      tree: tree.sha,
      parents: [baseSha],
    });
    // The branch appears only now, pointing at the finished commit: all or nothing.
    const ref = await this.client.post<{ message?: string }>(
      `${this.repo}/git/refs`,
      { ref: `refs/heads/${input.branch}`, sha: commit.sha },
      { accept: [422] },
    );
    if (ref.status === 422) return 'exists';
    return { sha: commit.sha };
  }

  async findChangeRequest(branch: string): Promise<ChangeRequest | undefined> {
    const { data } = await this.client.get<GitHubPull[]>(`${this.repo}/pulls`, {
      query: { head: `${this.owner}:${branch}`, state: 'all', per_page: 10 },
    });
    const newest = [...data].sort((a, b) => b.number - a.number)[0];
    return newest === undefined ? undefined : toChangeRequest(newest);
  }

  async openChangeRequest(input: {
    branch: string;
    base: string;
    title: string;
    body: string;
    labels: readonly string[];
    draft: boolean;
  }): Promise<ChangeRequest | 'exists'> {
    const response = await this.client.post<GitHubPull>(
      `${this.repo}/pulls`,
      {
        title: input.title,
        head: input.branch,
        base: input.base,
        body: input.body,
        draft: input.draft,
        maintainer_can_modify: false,
      },
      { accept: [422] },
    );
    if (response.status === 422) {
      const message = JSON.stringify(response.data);
      if (/already exists/i.test(message)) return 'exists';
      throw new ApiError(`${this.label}: pull request refused: ${message}`, 422, message);
    }
    const change = toChangeRequest(response.data);
    await this.addLabels(change, input.labels);
    return change;
  }

  /** Labels are an issue property: a second call, safe to repeat. */
  async addLabels(request: ChangeRequest, labels: readonly string[]): Promise<void> {
    if (labels.length === 0) return;
    await this.client.post(`${this.repo}/issues/${request.number}/labels`, { labels });
  }

  async checks(request: ChangeRequest): Promise<ChecksState> {
    const sha = request.headSha;
    if (sha === undefined) return { state: 'pending', detail: 'no head commit yet' };
    const protection = await this.client.get<{
      contexts?: string[];
      checks?: Array<{ context: string }>;
    }>(`${this.repo}/branches/${path(request.baseBranch)}/protection/required_status_checks`, {
      accept: [404],
    });
    const required =
      protection.status === 404
        ? undefined
        : [
            ...new Set([
              ...(protection.data.contexts ?? []),
              ...(protection.data.checks ?? []).map((c) => c.context),
            ]),
          ];
    const { data: runs } = await this.client.get<{ check_runs: CheckRun[] }>(
      `${this.repo}/commits/${segment(sha)}/check-runs`,
      { query: { per_page: 100 } },
    );
    const { data: combined } = await this.client.get<{ statuses: CommitStatus[] }>(
      `${this.repo}/commits/${segment(sha)}/status`,
    );
    const results = new Map<string, 'pending' | 'success' | 'failure'>();
    for (const status of combined.statuses)
      results.set(
        status.context,
        status.state === 'success' ? 'success' : status.state === 'pending' ? 'pending' : 'failure',
      );
    for (const run of runs.check_runs)
      results.set(
        run.name,
        run.status !== 'completed'
          ? 'pending'
          : SUCCESS_CONCLUSIONS.has(run.conclusion ?? '')
            ? 'success'
            : 'failure',
      );
    // Without branch protection every reported check counts; with it, only the required ones.
    const names = required ?? [...results.keys()];
    const failing = names.filter((n) => results.get(n) === 'failure');
    if (failing.length > 0)
      return { state: 'failure', detail: `checks failed: ${failing.join(', ')}` };
    const waiting = names.filter((n) => results.get(n) !== 'success');
    if (waiting.length > 0)
      return { state: 'pending', detail: `waiting for ${waiting.join(', ')}` };
    return {
      state: 'success',
      detail: names.length === 0 ? 'no required checks' : `passed: ${names.join(', ')}`,
    };
  }

  async merge(request: ChangeRequest, method: 'merge' | 'squash' | 'rebase'): Promise<MergeResult> {
    const { data: pull } = await this.client.get<GitHubPull>(
      `${this.repo}/pulls/${request.number}`,
    );
    if (pull.merged_at !== null) return { result: 'merged' };
    if (pull.mergeable === null || pull.mergeable === undefined)
      return { result: 'retry', detail: 'mergeability is still being computed' };
    if (pull.mergeable === false || pull.mergeable_state === 'dirty')
      return {
        result: 'conflict',
        detail: `pull request #${pull.number} conflicts with ${pull.base.ref}`,
      };
    const response = await this.client.put<{ merged?: boolean; message?: string }>(
      `${this.repo}/pulls/${request.number}/merge`,
      { merge_method: method, sha: pull.head.sha },
      { accept: [405, 409] },
    );
    if (response.status === 409)
      return { result: 'retry', detail: 'the head branch moved; trying again' };
    if (response.status === 405)
      return {
        result: 'conflict',
        detail: response.data.message ?? 'pull request is not mergeable',
      };
    return { result: 'merged' };
  }
}
