import type { FileChange } from '../manifests/manifest-plan';

/** A pull request (GitHub) or merge request (GitLab), as the shared flow needs it. */
export interface ChangeRequest {
  /** PR number / MR iid. */
  readonly number: number;
  readonly url: string;
  readonly state: 'open' | 'merged' | 'closed';
  readonly headSha: string | undefined;
  readonly baseBranch: string;
}

export type ChecksState =
  | { readonly state: 'pending'; readonly detail: string }
  | { readonly state: 'success'; readonly detail: string }
  | { readonly state: 'failure'; readonly detail: string };

export type MergeResult =
  | { readonly result: 'merged' }
  /** Conflicts with the base branch (or the host says it cannot be merged). */
  | { readonly result: 'conflict'; readonly detail: string }
  /** Not yet: mergeability still being computed, or the head moved. */
  | { readonly result: 'retry'; readonly detail: string };

/**
 * What a Git hosting API must offer for a dependency-bump change request. One implementation
 * per host (github-pr/, gitlab-mr/); the flow that uses it is shared.
 */
export interface RepositoryHost {
  readonly label: string;
  defaultBranch(): Promise<string>;
  /** File content at a ref; undefined when the file does not exist. */
  readFile(path: string, ref: string): Promise<string | undefined>;
  /** The commit a branch points at; undefined when there is no such branch. */
  branchHead(branch: string): Promise<string | undefined>;
  /**
   * Creates `branch` off `base` holding one commit with `files`, in a way that either fully
   * happens or not at all. `exists` when the branch is already there.
   */
  createBranchWithCommit(input: {
    readonly branch: string;
    readonly base: string;
    readonly message: string;
    readonly files: readonly FileChange[];
  }): Promise<{ readonly sha: string } | 'exists'>;
  /** The most recent change request from `branch`, in any state. */
  findChangeRequest(branch: string): Promise<ChangeRequest | undefined>;
  openChangeRequest(input: {
    readonly branch: string;
    readonly base: string;
    readonly title: string;
    readonly body: string;
    readonly labels: readonly string[];
    readonly draft: boolean;
  }): Promise<ChangeRequest | 'exists'>;
  /** Adds labels (idempotent): a request found after a crash may have missed them. */
  addLabels(request: ChangeRequest, labels: readonly string[]): Promise<void>;
  /** The required checks of the change request's head. */
  checks(request: ChangeRequest): Promise<ChecksState>;
  merge(request: ChangeRequest, method: 'merge' | 'squash' | 'rebase'): Promise<MergeResult>;
}
