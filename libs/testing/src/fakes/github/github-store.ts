import type { Clock } from '@hum/common';
import { GitModel } from './git-model';

export type CheckConclusion =
  'success' | 'failure' | 'neutral' | 'cancelled' | 'timed_out' | 'skipped';

export interface CheckRun {
  readonly id: number;
  readonly name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: CheckConclusion | null;
  readonly headSha: string;
}

export interface CommitStatus {
  readonly context: string;
  readonly state: 'pending' | 'success' | 'failure' | 'error';
  readonly description: string | null;
}

export interface PullRequest {
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly head: string;
  readonly base: string;
  readonly draft: boolean;
  readonly createdBy: string;
  state: 'open' | 'closed';
  mergedAt: string | null;
  mergeCommitSha: string | null;
  readonly labels: string[];
  readonly createdAt: string;
  /** Head commit SHA when merged or closed (the branch may be deleted afterwards). */
  closedHeadSha: string | null;
}

/** What the fake CI does when a commit lands on a non-default branch. */
export interface CiBehaviour {
  /** Check-run names reported for each new commit. */
  readonly checks: readonly string[];
  /** `pending` leaves the runs queued until the control API completes them. */
  readonly result: 'success' | 'failure' | 'pending';
}

export interface RepositoryInit {
  readonly owner: string;
  readonly name: string;
  readonly defaultBranch?: string;
  readonly files?: Readonly<Record<string, string>>;
  readonly private?: boolean;
  /** Required status checks of the default branch (branch protection). */
  readonly requiredChecks?: readonly string[];
  readonly ci?: CiBehaviour;
}

export class FakeRepository {
  readonly git: GitModel;
  readonly pulls: PullRequest[] = [];
  readonly labels = new Set<string>();
  readonly checkRuns: CheckRun[] = [];
  readonly statuses = new Map<string, CommitStatus[]>();
  readonly protection = new Map<string, string[]>();
  ci: CiBehaviour;
  readonly id: number;

  constructor(
    readonly owner: string,
    readonly name: string,
    id: number,
    init: RepositoryInit,
    clock: Clock,
    readonly isPrivate: boolean,
  ) {
    this.id = id;
    this.git = new GitModel(init.defaultBranch ?? 'main', init.files ?? {}, () => clock.now());
    if (init.requiredChecks && init.requiredChecks.length > 0)
      this.protection.set(this.git.defaultBranch, [...init.requiredChecks]);
    this.ci = init.ci ?? { checks: init.requiredChecks ?? [], result: 'success' };
  }

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }
}

/** Every repository of a fake GitHub, with one issue/PR number sequence per repository. */
export class GitHubStore {
  private readonly repos = new Map<string, FakeRepository>();
  private nextRepoId = 1_000;
  private nextCheckId = 5_000;

  constructor(private readonly clock: Clock) {}

  create(init: RepositoryInit): FakeRepository {
    const key = `${init.owner}/${init.name}`.toLowerCase();
    if (this.repos.has(key)) throw new Error(`repository ${key} exists`);
    const repo = new FakeRepository(
      init.owner,
      init.name,
      this.nextRepoId++,
      init,
      this.clock,
      init.private ?? true,
    );
    this.repos.set(key, repo);
    return repo;
  }

  find(owner: string, name: string): FakeRepository | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  all(): FakeRepository[] {
    return [...this.repos.values()];
  }

  reset(): void {
    this.repos.clear();
  }

  /** The fake CI reacting to a new commit on a branch. */
  runCi(repo: FakeRepository, sha: string, branch: string): void {
    if (branch === repo.git.defaultBranch) return;
    for (const name of repo.ci.checks) {
      if (repo.checkRuns.some((run) => run.headSha === sha && run.name === name)) continue;
      const done = repo.ci.result !== 'pending';
      repo.checkRuns.push({
        id: this.nextCheckId++,
        name,
        headSha: sha,
        status: done ? 'completed' : 'queued',
        conclusion: done ? (repo.ci.result as 'success' | 'failure') : null,
      });
    }
  }

  addCheckRun(repo: FakeRepository, run: Omit<CheckRun, 'id'>): CheckRun {
    const existing = repo.checkRuns.find((r) => r.headSha === run.headSha && r.name === run.name);
    if (existing) {
      existing.status = run.status;
      existing.conclusion = run.conclusion;
      return existing;
    }
    const created: CheckRun = { ...run, id: this.nextCheckId++ };
    repo.checkRuns.push(created);
    return created;
  }
}
