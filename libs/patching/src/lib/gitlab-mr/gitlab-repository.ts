import { ApiError, type RestClient, segment } from '../http/rest-client';
import type { FileChange } from '../manifests/manifest-plan';
import type {
  ChangeRequest,
  ChecksState,
  MergeResult,
  RepositoryHost,
} from '../repository/repository-host';

interface GitLabMergeRequest {
  iid: number;
  web_url: string;
  state: 'opened' | 'closed' | 'merged' | 'locked';
  sha: string | null;
  target_branch: string;
  has_conflicts?: boolean;
  detailed_merge_status?: string;
  head_pipeline?: { status: string; web_url?: string } | null;
}

const PIPELINE_FAILED = new Set(['failed', 'canceled']);

function toChangeRequest(mr: GitLabMergeRequest): ChangeRequest {
  return {
    number: mr.iid,
    url: mr.web_url,
    state: mr.state === 'merged' ? 'merged' : mr.state === 'closed' ? 'closed' : 'open',
    headSha: mr.sha ?? undefined,
    baseBranch: mr.target_branch,
  };
}

/** One GitLab project through REST v4 (the commits API creates branch and commit atomically). */
export class GitLabRepository implements RepositoryHost {
  private readonly base: string;

  constructor(
    private readonly client: RestClient,
    private readonly project: string,
  ) {
    // A project path is one URL-encoded id: `group%2Fsub%2Fproject`.
    this.base = `/projects/${segment(project)}`;
  }

  get label(): string {
    return `${this.client.label} ${this.project}`;
  }

  async defaultBranch(): Promise<string> {
    const { data } = await this.client.get<{ default_branch: string }>(this.base);
    return data.default_branch;
  }

  async readFile(file: string, ref: string): Promise<string | undefined> {
    const response = await this.client.get<string>(
      `${this.base}/repository/files/${segment(file)}/raw`,
      { query: { ref }, accept: [404], responseType: 'text' },
    );
    return response.status === 404 ? undefined : response.data;
  }

  async branchHead(branch: string): Promise<string | undefined> {
    const response = await this.client.get<{ commit: { id: string } }>(
      `${this.base}/repository/branches/${segment(branch)}`,
      { accept: [404] },
    );
    return response.status === 404 ? undefined : response.data.commit.id;
  }

  async createBranchWithCommit(input: {
    branch: string;
    base: string;
    message: string;
    files: readonly FileChange[];
  }): Promise<{ sha: string } | 'exists'> {
    const response = await this.client.post<{ id?: string; message?: string }>(
      `${this.base}/repository/commits`,
      {
        branch: input.branch,
        start_branch: input.base,
        commit_message: input.message,
        actions: input.files.map((file) => ({
          action: 'update',
          file_path: file.path,
          content: file.content,
        })),
      },
      { accept: [400] },
    );
    if (response.status === 400) {
      const message = String(response.data.message ?? '');
      if (/already exists/i.test(message)) return 'exists';
      throw new ApiError(`${this.label}: commit refused: ${message}`, 400, message);
    }
    return { sha: response.data.id! };
  }

  async findChangeRequest(branch: string): Promise<ChangeRequest | undefined> {
    const { data } = await this.client.get<GitLabMergeRequest[]>(`${this.base}/merge_requests`, {
      query: { source_branch: branch, state: 'all', order_by: 'created_at', sort: 'desc' },
    });
    const newest = data[0];
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
    const response = await this.client.post<GitLabMergeRequest>(
      `${this.base}/merge_requests`,
      {
        source_branch: input.branch,
        target_branch: input.base,
        title: input.draft ? `Draft: ${input.title}` : input.title,
        description: input.body,
        labels: input.labels.join(','),
        remove_source_branch: true,
      },
      { accept: [409] },
    );
    if (response.status === 409) return 'exists';
    return toChangeRequest(response.data);
  }

  async addLabels(request: ChangeRequest, labels: readonly string[]): Promise<void> {
    if (labels.length === 0) return;
    await this.client.put(`${this.base}/merge_requests/${request.number}`, {
      add_labels: labels.join(','),
    });
  }

  private async mergeRequest(iid: number): Promise<GitLabMergeRequest> {
    const { data } = await this.client.get<GitLabMergeRequest>(
      `${this.base}/merge_requests/${iid}`,
    );
    return data;
  }

  async checks(request: ChangeRequest): Promise<ChecksState> {
    const mr = await this.mergeRequest(request.number);
    const pipeline = mr.head_pipeline;
    if (pipeline === null || pipeline === undefined)
      return mr.detailed_merge_status === 'ci_must_pass'
        ? { state: 'pending', detail: 'waiting for a pipeline' }
        : { state: 'success', detail: 'no pipeline required' };
    if (pipeline.status === 'success') return { state: 'success', detail: 'pipeline passed' };
    if (PIPELINE_FAILED.has(pipeline.status))
      return { state: 'failure', detail: `pipeline ${pipeline.status}` };
    return { state: 'pending', detail: `pipeline ${pipeline.status}` };
  }

  async merge(request: ChangeRequest, method: 'merge' | 'squash' | 'rebase'): Promise<MergeResult> {
    const mr = await this.mergeRequest(request.number);
    if (mr.state === 'merged') return { result: 'merged' };
    if (mr.has_conflicts === true || mr.detailed_merge_status === 'conflict')
      return {
        result: 'conflict',
        detail: `merge request !${mr.iid} conflicts with ${mr.target_branch}`,
      };
    if (mr.detailed_merge_status === 'checking' || mr.detailed_merge_status === 'unchecked')
      return { result: 'retry', detail: 'mergeability is still being checked' };
    const response = await this.client.put<{ state?: string; message?: string }>(
      `${this.base}/merge_requests/${mr.iid}/merge`,
      { sha: mr.sha, squash: method === 'squash', should_remove_source_branch: true },
      { accept: [405, 406, 409, 422] },
    );
    if (response.status === 409) return { result: 'retry', detail: 'the source branch moved' };
    if (response.status === 406)
      return { result: 'conflict', detail: response.data.message ?? 'merge request has conflicts' };
    if (response.status === 405 || response.status === 422)
      return {
        result: 'conflict',
        detail: response.data.message ?? 'merge request cannot be merged',
      };
    return { result: 'merged' };
  }
}
