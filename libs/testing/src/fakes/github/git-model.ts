import { createHash } from 'node:crypto';

/** Path -> file content: a whole snapshot of the repository (the fakes keep repos small). */
export type Tree = ReadonlyMap<string, string>;

export interface GitCommit {
  readonly sha: string;
  readonly parents: readonly string[];
  readonly treeSha: string;
  readonly message: string;
  readonly author: { readonly name: string; readonly email: string; readonly date: string };
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

export function blobSha(content: string): string {
  return sha1(`blob ${Buffer.byteLength(content)}\0${content}`);
}

/**
 * A small in-memory Git object store shared by the GitHub and GitLab fakes: immutable trees
 * and commits addressed by SHA-1, movable branch refs, merge bases and three-way conflict
 * detection at file granularity.
 */
export class GitModel {
  private readonly trees = new Map<string, Tree>();
  private readonly commits = new Map<string, GitCommit>();
  private readonly blobs = new Map<string, string>();
  readonly branches = new Map<string, string>();
  private sequence = 0;

  constructor(
    readonly defaultBranch: string,
    files: Readonly<Record<string, string>>,
    private readonly now: () => Date,
  ) {
    const tree = this.putTree(new Map(Object.entries(files)));
    const root = this.putCommit({ parents: [], treeSha: tree, message: 'Initial commit' });
    this.branches.set(defaultBranch, root.sha);
  }

  putBlob(content: string): string {
    const sha = blobSha(content);
    this.blobs.set(sha, content);
    return sha;
  }

  blob(sha: string): string | undefined {
    return this.blobs.get(sha);
  }

  putTree(entries: Tree): string {
    for (const content of entries.values()) this.putBlob(content);
    const canonical = [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const sha = sha1(`tree ${JSON.stringify(canonical.map(([p, c]) => [p, blobSha(c)]))}`);
    this.trees.set(sha, new Map(canonical));
    return sha;
  }

  tree(sha: string): Tree | undefined {
    return this.trees.get(sha);
  }

  putCommit(input: {
    parents: readonly string[];
    treeSha: string;
    message: string;
    author?: { name: string; email: string };
  }): GitCommit {
    this.sequence += 1;
    const author = {
      name: input.author?.name ?? 'hum fake',
      email: input.author?.email ?? 'fake@example.test',
      date: this.now().toISOString(),
    };
    const sha = sha1(
      `commit ${input.treeSha} ${input.parents.join(',')} ${author.date} ${this.sequence}\n${input.message}`,
    );
    const commit: GitCommit = {
      sha,
      parents: [...input.parents],
      treeSha: input.treeSha,
      message: input.message,
      author,
    };
    this.commits.set(sha, commit);
    return commit;
  }

  commit(sha: string): GitCommit | undefined {
    return this.commits.get(sha);
  }

  /** The files at a branch name or commit SHA. */
  filesAt(ref: string): Tree | undefined {
    const sha = this.branches.get(ref) ?? ref;
    const commit = this.commits.get(sha);
    return commit === undefined ? undefined : this.trees.get(commit.treeSha);
  }

  resolve(ref: string): string | undefined {
    const sha = this.branches.get(ref) ?? ref;
    return this.commits.has(sha) ? sha : undefined;
  }

  /** Commits `changes` (content, or null to delete) on top of a branch and moves it. */
  commitOnBranch(
    branch: string,
    changes: Readonly<Record<string, string | null>>,
    message: string,
    author?: { name: string; email: string },
  ): GitCommit {
    const head = this.branches.get(branch);
    if (head === undefined) throw new Error(`no branch ${branch}`);
    const files = new Map(this.filesAt(head));
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) files.delete(path);
      else files.set(path, content);
    }
    const commit = this.putCommit({
      parents: [head],
      treeSha: this.putTree(files),
      message,
      ...(author ? { author } : {}),
    });
    this.branches.set(branch, commit.sha);
    return commit;
  }

  ancestors(sha: string): Set<string> {
    const seen = new Set<string>();
    const queue = [sha];
    while (queue.length > 0) {
      const next = queue.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...(this.commits.get(next)?.parents ?? []));
    }
    return seen;
  }

  isAncestor(ancestor: string, of: string): boolean {
    return this.ancestors(of).has(ancestor);
  }

  mergeBase(a: string, b: string): string | undefined {
    const ofB = this.ancestors(b);
    const queue = [a];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (seen.has(next)) continue;
      seen.add(next);
      if (ofB.has(next)) return next;
      queue.push(...(this.commits.get(next)?.parents ?? []));
    }
    return undefined;
  }

  /** Paths whose content differs between two commits. */
  changedPaths(from: string, to: string): Set<string> {
    const a = this.filesAt(from) ?? new Map<string, string>();
    const b = this.filesAt(to) ?? new Map<string, string>();
    const changed = new Set<string>();
    for (const path of new Set([...a.keys(), ...b.keys()]))
      if (a.get(path) !== b.get(path)) changed.add(path);
    return changed;
  }

  /** Paths both sides changed differently since their merge base: what makes a merge conflict. */
  conflicts(head: string, base: string): string[] {
    const mergeBase = this.mergeBase(head, base);
    if (mergeBase === undefined) return ['(unrelated histories)'];
    const ours = this.changedPaths(mergeBase, head);
    const theirs = this.changedPaths(mergeBase, base);
    const headFiles = this.filesAt(head)!;
    const baseFiles = this.filesAt(base)!;
    return [...ours].filter(
      (path) => theirs.has(path) && headFiles.get(path) !== baseFiles.get(path),
    );
  }

  /** Merges `head` into `branch` (merge commit, or one squashed commit); throws on conflict. */
  merge(
    head: string,
    branch: string,
    method: 'merge' | 'squash' | 'rebase',
    message: string,
  ): GitCommit {
    const base = this.branches.get(branch);
    if (base === undefined) throw new Error(`no branch ${branch}`);
    const conflicting = this.conflicts(head, base);
    if (conflicting.length > 0) throw new Error(`conflict in ${conflicting.join(', ')}`);
    const mergeBase = this.mergeBase(head, base)!;
    const files = new Map(this.filesAt(base));
    const headFiles = this.filesAt(head)!;
    for (const path of this.changedPaths(mergeBase, head)) {
      const content = headFiles.get(path);
      if (content === undefined) files.delete(path);
      else files.set(path, content);
    }
    const commit = this.putCommit({
      parents: method === 'merge' ? [base, head] : [base],
      treeSha: this.putTree(files),
      message,
    });
    this.branches.set(branch, commit.sha);
    return commit;
  }
}
