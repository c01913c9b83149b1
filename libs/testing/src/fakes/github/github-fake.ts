import { z } from 'zod';
import type { Clock } from '@hum/common';
import { presentedCredentials, randomSecret, secretEquals } from '../server/credentials';
import { FakeHandle } from '../server/fake-handle';
import { ControlError, FakeHttpServer, type FakeServerOptions } from '../server/fake-http-server';
import { BaseUrl, type AuthOutcome, type FakeService } from '../server/fake-service';
import { jsonResponse, noContent, type FakeRequest, type FakeResponse } from '../server/http-types';
import { Router, type RouteHandler } from '../server/router';
import { blobSha } from './git-model';
import {
  type CheckConclusion,
  type CiBehaviour,
  type FakeRepository,
  GitHubStore,
  type PullRequest,
  type RepositoryInit,
} from './github-store';
import { RestRouter } from './rest-router';

export interface GitHubTokenInit {
  readonly login: string;
  readonly token?: string;
}

export interface FakeGitHubOptions extends FakeServerOptions {
  /** The first is hum's bot; more may act as humans. Tokens are random when not given. */
  readonly tokens?: readonly GitHubTokenInit[];
  readonly repositories?: readonly RepositoryInit[];
  /**
   * Status of a rate-limited answer: GitHub's secondary limit answers 403 (the default) or
   * 429, always with Retry-After.
   */
  readonly rateLimitStatus?: 403 | 429;
}

export interface PullRequestSnapshot {
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly head: string;
  readonly base: string;
  readonly state: 'open' | 'closed';
  readonly merged: boolean;
  readonly labels: readonly string[];
  readonly url: string;
  readonly createdBy: string;
}

const DOCS = 'https://docs.github.com/rest';

class GitHubApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  toResponse(): FakeResponse {
    return jsonResponse(this.status, {
      message: this.message,
      ...this.extra,
      documentation_url: DOCS,
    });
  }
}

const notFound = (): GitHubApiError => new GitHubApiError(404, 'Not Found');
const validation = (errors: Array<Record<string, string>>): GitHubApiError =>
  new GitHubApiError(422, 'Validation Failed', { errors });

function route(handler: RouteHandler): RouteHandler {
  return async (request) => {
    try {
      return await handler(request);
    } catch (error) {
      if (error instanceof GitHubApiError) return error.toResponse();
      throw error;
    }
  };
}

function bodyOf(request: FakeRequest): Record<string, unknown> {
  const body = request.body;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body))
    throw new GitHubApiError(400, 'Problems parsing JSON');
  return body as Record<string, unknown>;
}

function stringField(body: Record<string, unknown>, field: string, resource: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '')
    throw validation([{ resource, field, code: 'missing_field' }]);
  return value;
}

const SUCCESS = new Set<string>(['success', 'neutral', 'skipped']);

const repoInitSchema = z
  .object({
    owner: z.string().min(1),
    name: z.string().min(1),
    defaultBranch: z.string().min(1).optional(),
    files: z.record(z.string(), z.string()).optional(),
    private: z.boolean().optional(),
    requiredChecks: z.array(z.string().min(1)).optional(),
    ci: z
      .object({
        checks: z.array(z.string().min(1)),
        result: z.enum(['success', 'failure', 'pending']),
      })
      .strict()
      .optional(),
  })
  .strict();

/** A running fake GitHub (REST v3, api.github.com layout) and its typed handle for specs. */
export class FakeGitHub extends FakeHandle {
  private constructor(
    server: FakeHttpServer,
    private readonly store: GitHubStore,
    readonly tokens: ReadonlyArray<{ login: string; token: string }>,
  ) {
    super(server);
  }

  static async start(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
    const clock: Clock = options.clock ?? { now: () => new Date() };
    const tokens = (options.tokens ?? [{ login: 'hum-bot' }, { login: 'riley-human' }]).map(
      (t) => ({
        login: t.login,
        token: t.token ?? `ghp_${randomSecret(27)}`,
      }),
    );
    const store = new GitHubStore(clock);
    for (const repo of options.repositories ?? []) store.create(repo);
    const baseUrl = new BaseUrl();
    const now = (): string => clock.now().toISOString();

    const repoOf = (request: FakeRequest): FakeRepository => {
      const repo = store.find(request.params['owner']!, request.params['repo']!);
      if (!repo) throw notFound();
      return repo;
    };
    const repoJson = (repo: FakeRepository): Record<string, unknown> => ({
      id: repo.id,
      name: repo.name,
      full_name: repo.fullName,
      private: repo.isPrivate,
      owner: { login: repo.owner },
      html_url: `${baseUrl.value}/${repo.fullName}`,
      url: `${baseUrl.value}/repos/${repo.fullName}`,
      default_branch: repo.git.defaultBranch,
      allow_auto_merge: true,
      permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    });
    const refJson = (repo: FakeRepository, branch: string): Record<string, unknown> => ({
      ref: `refs/heads/${branch}`,
      url: `${baseUrl.value}/repos/${repo.fullName}/git/refs/heads/${branch}`,
      object: { sha: repo.git.branches.get(branch)!, type: 'commit' },
    });
    const commitJson = (repo: FakeRepository, sha: string): Record<string, unknown> => {
      const commit = repo.git.commit(sha)!;
      return {
        sha,
        url: `${baseUrl.value}/repos/${repo.fullName}/git/commits/${sha}`,
        html_url: `${baseUrl.value}/${repo.fullName}/commit/${sha}`,
        message: commit.message,
        author: commit.author,
        committer: commit.author,
        tree: { sha: commit.treeSha },
        parents: commit.parents.map((p) => ({ sha: p })),
      };
    };
    const headSha = (repo: FakeRepository, pull: PullRequest): string | null =>
      repo.git.branches.get(pull.head) ?? pull.closedHeadSha;
    const requiredChecks = (repo: FakeRepository, branch: string): string[] =>
      repo.protection.get(branch) ?? [];
    const checkState = (
      repo: FakeRepository,
      sha: string,
      name: string,
    ): 'success' | 'failure' | 'pending' => {
      const run = [...repo.checkRuns].reverse().find((r) => r.headSha === sha && r.name === name);
      const status = repo.statuses.get(sha)?.find((s) => s.context === name);
      if (run && run.status === 'completed')
        return SUCCESS.has(run.conclusion ?? '') ? 'success' : 'failure';
      if (status)
        return status.state === 'success'
          ? 'success'
          : status.state === 'pending'
            ? 'pending'
            : 'failure';
      return 'pending';
    };
    const pullJson = (repo: FakeRepository, pull: PullRequest): Record<string, unknown> => {
      const sha = headSha(repo, pull);
      const baseSha = repo.git.branches.get(pull.base) ?? null;
      const open = pull.state === 'open';
      const conflicts = open && sha && baseSha ? repo.git.conflicts(sha, baseSha) : [];
      const blocked =
        open &&
        sha !== null &&
        requiredChecks(repo, pull.base).some((n) => checkState(repo, sha, n) !== 'success');
      return {
        id: repo.id * 100_000 + pull.number,
        number: pull.number,
        state: pull.state,
        title: pull.title,
        body: pull.body,
        draft: pull.draft,
        user: { login: pull.createdBy },
        labels: pull.labels.map((name) => ({ name })),
        html_url: `${baseUrl.value}/${repo.fullName}/pull/${pull.number}`,
        url: `${baseUrl.value}/repos/${repo.fullName}/pulls/${pull.number}`,
        head: {
          ref: pull.head,
          sha,
          label: `${repo.owner}:${pull.head}`,
          repo: { full_name: repo.fullName },
        },
        base: {
          ref: pull.base,
          sha: baseSha,
          label: `${repo.owner}:${pull.base}`,
          repo: { full_name: repo.fullName },
        },
        merged: pull.mergedAt !== null,
        merged_at: pull.mergedAt,
        merge_commit_sha: pull.mergeCommitSha,
        mergeable: open ? conflicts.length === 0 : null,
        mergeable_state: !open
          ? 'unknown'
          : conflicts.length > 0
            ? 'dirty'
            : blocked
              ? 'blocked'
              : 'clean',
        created_at: pull.createdAt,
        updated_at: now(),
      };
    };
    const pullOf = (repo: FakeRepository, request: FakeRequest): PullRequest => {
      const pull = repo.pulls.find((p) => p.number === Number(request.params['number']));
      if (!pull) throw notFound();
      return pull;
    };
    const userOf = (request: FakeRequest): string => request.principal?.user ?? 'unknown';
    const fileJson = (
      repo: FakeRepository,
      path: string,
      content: string,
      ref: string,
    ): Record<string, unknown> => ({
      type: 'file',
      encoding: 'base64',
      size: Buffer.byteLength(content),
      name: path.split('/').pop(),
      path,
      // GitHub wraps base64 content at 60 characters.
      content:
        (
          Buffer.from(content)
            .toString('base64')
            .match(/.{1,60}/g) ?? []
        ).join('\n') + '\n',
      sha: blobSha(content),
      url: `${baseUrl.value}/repos/${repo.fullName}/contents/${path}?ref=${encodeURIComponent(ref)}`,
      html_url: `${baseUrl.value}/${repo.fullName}/blob/${ref}/${path}`,
    });
    const moveBranch = (repo: FakeRepository, branch: string, sha: string): void => {
      repo.git.branches.set(branch, sha);
      store.runCi(repo, sha, branch);
    };

    const api = new RestRouter();
    api
      .get(
        '/user',
        route((request) => jsonResponse(200, { login: userOf(request), type: 'Bot' })),
      )
      .get(
        '/repos/:owner/:repo',
        route((request) => jsonResponse(200, repoJson(repoOf(request)))),
      )
      .addRest(
        'GET',
        '/repos/:owner/:repo/branches/*branch',
        route((request) => {
          const repo = repoOf(request);
          const raw = request.params['branch']!;
          const suffix = '/protection/required_status_checks';
          if (raw.endsWith(suffix)) {
            const branch = raw.slice(0, -suffix.length);
            if (!repo.git.branches.has(branch)) throw new GitHubApiError(404, 'Branch not found');
            const contexts = repo.protection.get(branch);
            if (contexts === undefined) throw new GitHubApiError(404, 'Branch not protected');
            return jsonResponse(200, {
              strict: false,
              contexts,
              checks: contexts.map((context) => ({ context, app_id: null })),
            });
          }
          const sha = repo.git.branches.get(raw);
          if (sha === undefined) throw new GitHubApiError(404, 'Branch not found');
          return jsonResponse(200, {
            name: raw,
            commit: { sha, url: `${baseUrl.value}/repos/${repo.fullName}/commits/${sha}` },
            protected: repo.protection.has(raw),
          });
        }),
      )
      .addRest(
        'GET',
        '/repos/:owner/:repo/git/ref/*ref',
        route((request) => {
          const repo = repoOf(request);
          const ref = request.params['ref']!;
          const branch = ref.replace(/^heads\//, '');
          if (!ref.startsWith('heads/') || !repo.git.branches.has(branch)) throw notFound();
          return jsonResponse(200, refJson(repo, branch));
        }),
      )
      .addRest(
        'GET',
        '/repos/:owner/:repo/git/matching-refs/*ref',
        route((request) => {
          const repo = repoOf(request);
          const prefix = request.params['ref']!.replace(/^heads\//, '');
          return jsonResponse(
            200,
            [...repo.git.branches.keys()]
              .filter((b) => b.startsWith(prefix))
              .sort()
              .map((b) => refJson(repo, b)),
          );
        }),
      )
      .post(
        '/repos/:owner/:repo/git/refs',
        route((request) => {
          const repo = repoOf(request);
          const body = bodyOf(request);
          const ref = stringField(body, 'ref', 'Reference');
          const sha = stringField(body, 'sha', 'Reference');
          if (!/^refs\/heads\/[^\s~^:?*[\\]+$/.test(ref) || ref.includes('..'))
            throw new GitHubApiError(422, `${ref} is not a valid ref name.`);
          const branch = ref.slice('refs/heads/'.length);
          if (repo.git.branches.has(branch))
            throw new GitHubApiError(422, 'Reference already exists');
          if (!repo.git.commit(sha)) throw new GitHubApiError(422, 'Object does not exist');
          moveBranch(repo, branch, sha);
          return jsonResponse(201, refJson(repo, branch));
        }),
      )
      .addRest(
        'PATCH',
        '/repos/:owner/:repo/git/refs/*ref',
        route((request) => {
          const repo = repoOf(request);
          const branch = request.params['ref']!.replace(/^heads\//, '');
          const body = bodyOf(request);
          const sha = stringField(body, 'sha', 'Reference');
          const current = repo.git.branches.get(branch);
          if (current === undefined) throw new GitHubApiError(422, 'Reference does not exist');
          if (!repo.git.commit(sha)) throw new GitHubApiError(422, 'Object does not exist');
          if (body['force'] !== true && !repo.git.isAncestor(current, sha))
            throw new GitHubApiError(422, 'Update is not a fast forward');
          moveBranch(repo, branch, sha);
          return jsonResponse(200, refJson(repo, branch));
        }),
      )
      .addRest(
        'DELETE',
        '/repos/:owner/:repo/git/refs/*ref',
        route((request) => {
          const repo = repoOf(request);
          const branch = request.params['ref']!.replace(/^heads\//, '');
          if (!repo.git.branches.has(branch))
            throw new GitHubApiError(422, 'Reference does not exist');
          if (branch === repo.git.defaultBranch)
            throw new GitHubApiError(422, 'Cannot delete the default branch');
          repo.git.branches.delete(branch);
          return noContent();
        }),
      )
      .get(
        '/repos/:owner/:repo/git/commits/:sha',
        route((request) => {
          const repo = repoOf(request);
          if (!repo.git.commit(request.params['sha']!)) throw notFound();
          return jsonResponse(200, commitJson(repo, request.params['sha']!));
        }),
      )
      .post(
        '/repos/:owner/:repo/git/commits',
        route((request) => {
          const repo = repoOf(request);
          const body = bodyOf(request);
          const message = stringField(body, 'message', 'Commit');
          const tree = stringField(body, 'tree', 'Commit');
          const parents = Array.isArray(body['parents'])
            ? (body['parents'] as unknown[]).map(String)
            : [];
          if (!repo.git.tree(tree)) throw new GitHubApiError(422, 'Tree SHA does not exist');
          if (parents.some((p) => !repo.git.commit(p)))
            throw new GitHubApiError(422, 'Parent SHA does not exist or is not a commit object');
          const author = body['author'] as { name?: string; email?: string } | undefined;
          const commit = repo.git.putCommit({
            parents,
            treeSha: tree,
            message,
            author: {
              name: author?.name ?? userOf(request),
              email: author?.email ?? `${userOf(request)}@users.noreply.example.test`,
            },
          });
          return jsonResponse(201, commitJson(repo, commit.sha));
        }),
      )
      .post(
        '/repos/:owner/:repo/git/blobs',
        route((request) => {
          const repo = repoOf(request);
          const body = bodyOf(request);
          const content = typeof body['content'] === 'string' ? body['content'] : undefined;
          if (content === undefined)
            throw validation([{ resource: 'Blob', field: 'content', code: 'missing_field' }]);
          const text =
            body['encoding'] === 'base64'
              ? Buffer.from(content, 'base64').toString('utf8')
              : content;
          const sha = repo.git.putBlob(text);
          return jsonResponse(201, {
            sha,
            url: `${baseUrl.value}/repos/${repo.fullName}/git/blobs/${sha}`,
          });
        }),
      )
      .post(
        '/repos/:owner/:repo/git/trees',
        route((request) => {
          const repo = repoOf(request);
          const body = bodyOf(request);
          const entries = body['tree'];
          if (!Array.isArray(entries))
            throw validation([{ resource: 'Tree', field: 'tree', code: 'missing_field' }]);
          const base =
            typeof body['base_tree'] === 'string'
              ? repo.git.tree(body['base_tree'])
              : new Map<string, string>();
          if (base === undefined)
            throw new GitHubApiError(422, 'Invalid tree info: base_tree does not exist');
          const files = new Map(base);
          for (const raw of entries as Array<Record<string, unknown>>) {
            const path = raw['path'];
            if (
              typeof path !== 'string' ||
              path === '' ||
              path.startsWith('/') ||
              path.split('/').includes('..')
            )
              throw new GitHubApiError(422, 'Invalid tree info: path');
            if (raw['sha'] === null) {
              files.delete(path);
            } else if (typeof raw['content'] === 'string') {
              files.set(path, raw['content']);
            } else if (typeof raw['sha'] === 'string') {
              const content = repo.git.blob(raw['sha']);
              if (content === undefined)
                throw new GitHubApiError(
                  422,
                  `Invalid tree info: blob ${raw['sha']} does not exist`,
                );
              files.set(path, content);
            } else {
              throw new GitHubApiError(422, 'Invalid tree info: content or sha required');
            }
          }
          const sha = repo.git.putTree(files);
          return jsonResponse(201, {
            sha,
            url: `${baseUrl.value}/repos/${repo.fullName}/git/trees/${sha}`,
            tree: [...files.entries()].map(([p, c]) => ({
              path: p,
              mode: '100644',
              type: 'blob',
              sha: blobSha(c),
              size: Buffer.byteLength(c),
            })),
            truncated: false,
          });
        }),
      )
      .addRest(
        'GET',
        '/repos/:owner/:repo/contents/*path',
        route((request) => {
          const repo = repoOf(request);
          const ref = request.query.get('ref') ?? repo.git.defaultBranch;
          const files = repo.git.filesAt(ref);
          if (!files) throw new GitHubApiError(404, `No commit found for the ref ${ref}`);
          const path = request.params['path']!.replace(/\/+$/, '');
          const content = files.get(path);
          if (content !== undefined) return jsonResponse(200, fileJson(repo, path, content, ref));
          const listing = [...files.keys()].filter((p) => p.startsWith(`${path}/`));
          if (listing.length === 0) throw notFound();
          const children = new Set(listing.map((p) => p.slice(path.length + 1).split('/')[0]!));
          return jsonResponse(
            200,
            [...children].sort().map((name) => {
              const full = `${path}/${name}`;
              return files.has(full)
                ? { type: 'file', name, path: full, sha: blobSha(files.get(full)!) }
                : { type: 'dir', name, path: full };
            }),
          );
        }),
      )
      .addRest(
        'PUT',
        '/repos/:owner/:repo/contents/*path',
        route((request) => {
          const repo = repoOf(request);
          const body = bodyOf(request);
          const path = request.params['path']!;
          const message = stringField(body, 'message', 'Content');
          const encoded = stringField(body, 'content', 'Content');
          const branch =
            typeof body['branch'] === 'string' ? body['branch'] : repo.git.defaultBranch;
          const files = repo.git.filesAt(branch);
          if (!files) throw new GitHubApiError(404, `Branch ${branch} not found`);
          const existing = files.get(path);
          if (existing !== undefined && typeof body['sha'] !== 'string')
            throw new GitHubApiError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
          if (existing !== undefined && body['sha'] !== blobSha(existing))
            throw new GitHubApiError(409, `${path} does not match ${String(body['sha'])}`);
          const content = Buffer.from(encoded, 'base64').toString('utf8');
          const commit = repo.git.commitOnBranch(branch, { [path]: content }, message, {
            name: userOf(request),
            email: `${userOf(request)}@users.noreply.example.test`,
          });
          store.runCi(repo, commit.sha, branch);
          return jsonResponse(existing === undefined ? 201 : 200, {
            content: fileJson(repo, path, content, branch),
            commit: commitJson(repo, commit.sha),
          });
        }),
      )
      .get(
        '/repos/:owner/:repo/pulls',
        route((request) => {
          const repo = repoOf(request);
          const state = request.query.get('state') ?? 'open';
          const head = request.query.get('head');
          const base = request.query.get('base');
          const pulls = repo.pulls
            .filter((p) => state === 'all' || p.state === state)
            .filter((p) => head === null || `${repo.owner}:${p.head}` === head || p.head === head)
            .filter((p) => base === null || p.base === base)
            .sort((a, b) => b.number - a.number);
          const perPage = Math.min(100, Number(request.query.get('per_page') ?? 30) || 30);
          return jsonResponse(
            200,
            pulls.slice(0, perPage).map((p) => pullJson(repo, p)),
          );
        }),
      )
      .post(
        '/repos/:owner/:repo/pulls',
        route((request) => {
          const repo = repoOf(request);
          const body = bodyOf(request);
          const title = stringField(body, 'title', 'PullRequest');
          const headRaw = stringField(body, 'head', 'PullRequest');
          const base = stringField(body, 'base', 'PullRequest');
          const head = headRaw.includes(':') ? headRaw.slice(headRaw.indexOf(':') + 1) : headRaw;
          if (
            headRaw.includes(':') &&
            headRaw.split(':')[0]!.toLowerCase() !== repo.owner.toLowerCase()
          )
            throw validation([{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
          const headSha = repo.git.branches.get(head);
          if (headSha === undefined)
            throw validation([{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
          const baseSha = repo.git.branches.get(base);
          if (baseSha === undefined)
            throw validation([{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
          if (repo.pulls.some((p) => p.state === 'open' && p.head === head && p.base === base))
            throw validation([
              {
                resource: 'PullRequest',
                code: 'custom',
                message: `A pull request already exists for ${repo.owner}:${head}.`,
              },
            ]);
          if (repo.git.isAncestor(headSha, baseSha))
            throw validation([
              {
                resource: 'PullRequest',
                code: 'custom',
                message: `No commits between ${base} and ${head}`,
              },
            ]);
          const pull: PullRequest = {
            number: repo.pulls.length + 1,
            title,
            body: typeof body['body'] === 'string' ? body['body'] : '',
            head,
            base,
            draft: body['draft'] === true,
            createdBy: userOf(request),
            state: 'open',
            mergedAt: null,
            mergeCommitSha: null,
            labels: [],
            createdAt: now(),
            closedHeadSha: null,
          };
          repo.pulls.push(pull);
          return jsonResponse(201, pullJson(repo, pull), {
            location: `${baseUrl.value}/repos/${repo.fullName}/pulls/${pull.number}`,
          });
        }),
      )
      .get(
        '/repos/:owner/:repo/pulls/:number',
        route((request) => {
          const repo = repoOf(request);
          return jsonResponse(200, pullJson(repo, pullOf(repo, request)));
        }),
      )
      .patch(
        '/repos/:owner/:repo/pulls/:number',
        route((request) => {
          const repo = repoOf(request);
          const pull = pullOf(repo, request);
          const body = bodyOf(request);
          if (body['state'] === 'closed' && pull.state === 'open') {
            pull.state = 'closed';
            pull.closedHeadSha = headSha(repo, pull);
          }
          return jsonResponse(200, pullJson(repo, pull));
        }),
      )
      .get(
        '/repos/:owner/:repo/pulls/:number/merge',
        route((request) => {
          const repo = repoOf(request);
          return pullOf(repo, request).mergedAt !== null
            ? noContent()
            : jsonResponse(404, { message: 'Not Found', documentation_url: DOCS });
        }),
      )
      .put(
        '/repos/:owner/:repo/pulls/:number/merge',
        route((request) => {
          const repo = repoOf(request);
          const pull = pullOf(repo, request);
          const body = request.body === undefined ? {} : bodyOf(request);
          const sha = headSha(repo, pull);
          if (pull.state !== 'open' || sha === null)
            throw new GitHubApiError(405, 'Pull Request is not mergeable');
          if (typeof body['sha'] === 'string' && body['sha'] !== sha)
            throw new GitHubApiError(
              409,
              'Head branch was modified. Review and try the merge again.',
            );
          for (const name of requiredChecks(repo, pull.base)) {
            const state = checkState(repo, sha, name);
            if (state !== 'success')
              throw new GitHubApiError(
                405,
                `Required status check "${name}" is ${state === 'failure' ? 'failing' : 'expected'}.`,
              );
          }
          if (repo.git.conflicts(sha, repo.git.branches.get(pull.base)!).length > 0)
            throw new GitHubApiError(405, 'Pull Request is not mergeable');
          const method =
            body['merge_method'] === 'squash' || body['merge_method'] === 'rebase'
              ? body['merge_method']
              : 'merge';
          const commit = repo.git.merge(
            sha,
            pull.base,
            method,
            typeof body['commit_title'] === 'string'
              ? body['commit_title']
              : `Merge pull request #${pull.number} from ${repo.owner}/${pull.head}`,
          );
          pull.state = 'closed';
          pull.mergedAt = now();
          pull.mergeCommitSha = commit.sha;
          pull.closedHeadSha = sha;
          return jsonResponse(200, {
            sha: commit.sha,
            merged: true,
            message: 'Pull Request successfully merged',
          });
        }),
      )
      .post(
        '/repos/:owner/:repo/issues/:number/labels',
        route((request) => {
          const repo = repoOf(request);
          const pull = pullOf(repo, request);
          const raw = Array.isArray(request.body) ? request.body : bodyOf(request)['labels'];
          if (!Array.isArray(raw) || raw.some((l) => typeof l !== 'string' || l === ''))
            throw validation([{ resource: 'Label', field: 'labels', code: 'invalid' }]);
          for (const label of raw as string[]) {
            repo.labels.add(label);
            if (!pull.labels.includes(label)) pull.labels.push(label);
          }
          return jsonResponse(
            200,
            pull.labels.map((name, i) => ({ id: i + 1, name, color: 'ededed', default: false })),
          );
        }),
      )
      .get(
        '/repos/:owner/:repo/issues/:number/labels',
        route((request) => {
          const repo = repoOf(request);
          return jsonResponse(
            200,
            pullOf(repo, request).labels.map((name, i) => ({ id: i + 1, name })),
          );
        }),
      )
      .addRest(
        'GET',
        '/repos/:owner/:repo/commits/*refAndView',
        route((request) => {
          const repo = repoOf(request);
          const raw = request.params['refAndView']!;
          const view = raw.endsWith('/check-runs')
            ? 'check-runs'
            : raw.endsWith('/status')
              ? 'status'
              : 'commit';
          const ref = view === 'commit' ? raw : raw.slice(0, raw.lastIndexOf('/'));
          const sha = repo.git.resolve(ref);
          if (sha === undefined) throw new GitHubApiError(422, `No commit found for SHA: ${ref}`);
          if (view === 'check-runs') {
            const runs = repo.checkRuns.filter((r) => r.headSha === sha);
            return jsonResponse(200, {
              total_count: runs.length,
              check_runs: runs.map((r) => ({
                id: r.id,
                name: r.name,
                head_sha: r.headSha,
                status: r.status,
                conclusion: r.conclusion,
              })),
            });
          }
          if (view === 'status') {
            const statuses = repo.statuses.get(sha) ?? [];
            const state = statuses.some((s) => s.state === 'failure' || s.state === 'error')
              ? 'failure'
              : statuses.length > 0 && statuses.every((s) => s.state === 'success')
                ? 'success'
                : 'pending';
            return jsonResponse(200, { sha, state, total_count: statuses.length, statuses });
          }
          return jsonResponse(200, { sha, commit: commitJson(repo, sha) });
        }),
      )
      .post(
        '/repos/:owner/:repo/statuses/:sha',
        route((request) => {
          const repo = repoOf(request);
          const sha = request.params['sha']!;
          if (!repo.git.commit(sha))
            throw new GitHubApiError(422, `No commit found for SHA: ${sha}`);
          const body = bodyOf(request);
          const state = body['state'];
          if (
            state !== 'pending' &&
            state !== 'success' &&
            state !== 'failure' &&
            state !== 'error'
          )
            throw validation([{ resource: 'Status', field: 'state', code: 'invalid' }]);
          const context = typeof body['context'] === 'string' ? body['context'] : 'default';
          const list = (repo.statuses.get(sha) ?? []).filter((s) => s.context !== context);
          const status = {
            context,
            state,
            description: typeof body['description'] === 'string' ? body['description'] : null,
          } as const;
          list.push(status);
          repo.statuses.set(sha, list);
          return jsonResponse(201, { ...status, created_at: now() });
        }),
      )
      .post(
        '/repos/:owner/:repo/check-runs',
        route((request) => {
          const repo = repoOf(request);
          const body = bodyOf(request);
          const name = stringField(body, 'name', 'CheckRun');
          const head = stringField(body, 'head_sha', 'CheckRun');
          if (!repo.git.commit(head))
            throw new GitHubApiError(422, `No commit found for SHA: ${head}`);
          const conclusion = (
            typeof body['conclusion'] === 'string' ? body['conclusion'] : null
          ) as CheckConclusion | null;
          const run = store.addCheckRun(repo, {
            name,
            headSha: head,
            status:
              conclusion !== null
                ? 'completed'
                : ((body['status'] as 'queued' | 'in_progress' | undefined) ?? 'queued'),
            conclusion,
          });
          return jsonResponse(201, {
            id: run.id,
            name: run.name,
            head_sha: run.headSha,
            status: run.status,
            conclusion: run.conclusion,
          });
        }),
      );

    const self: { fake?: FakeGitHub } = {};
    const control = new Router()
      .get('/__fake/repos', () =>
        jsonResponse(200, { repositories: self.fake!.snapshot().repositories }),
      )
      .post('/__fake/repos', (request) => {
        const init = repoInitSchema.parse(request.body);
        if (store.find(init.owner, init.name))
          throw new ControlError(409, `${init.owner}/${init.name} exists`);
        self.fake!.createRepository(init);
        return jsonResponse(201, { fullName: `${init.owner}/${init.name}` });
      })
      .post('/__fake/repos/:owner/:repo/commits', (request) => {
        const body = z
          .object({
            branch: z.string().min(1).optional(),
            files: z.record(z.string(), z.string().nullable()),
            message: z.string().min(1).optional(),
          })
          .strict()
          .parse(request.body);
        const sha = self.fake!.pushCommit(
          request.params['owner']!,
          request.params['repo']!,
          body.files,
          {
            ...(body.branch ? { branch: body.branch } : {}),
            ...(body.message ? { message: body.message } : {}),
          },
        );
        return jsonResponse(201, { sha });
      })
      .put('/__fake/repos/:owner/:repo/ci', (request) => {
        const ci = z
          .object({
            checks: z.array(z.string().min(1)),
            result: z.enum(['success', 'failure', 'pending']),
          })
          .strict()
          .parse(request.body);
        self.fake!.setCi(request.params['owner']!, request.params['repo']!, ci);
        return noContent();
      })
      .post('/__fake/repos/:owner/:repo/check-runs', (request) => {
        const body = z
          .object({
            ref: z.string().min(1),
            name: z.string().min(1),
            conclusion: z.enum([
              'success',
              'failure',
              'neutral',
              'cancelled',
              'timed_out',
              'skipped',
            ]),
          })
          .strict()
          .parse(request.body);
        self.fake!.completeCheck(
          request.params['owner']!,
          request.params['repo']!,
          body.ref,
          body.name,
          body.conclusion,
        );
        return noContent();
      });

    const service: FakeService = {
      name: 'github',
      api,
      control,
      authenticate: (headers): AuthOutcome => {
        const header = headers.authorization;
        // GitHub takes `token <t>` as well as `Bearer <t>`.
        const tokenScheme =
          typeof header === 'string' ? /^token\s+(\S+)$/i.exec(header.trim()) : null;
        const presented = tokenScheme
          ? { scheme: 'bearer' as const, token: tokenScheme[1]! }
          : presentedCredentials(headers);
        if (presented.scheme === 'none') return { kind: 'missing' };
        if (presented.scheme !== 'bearer') return { kind: 'rejected', scheme: presented.scheme };
        const match = tokens.find((t) => secretEquals(presented.token, t.token));
        return match
          ? { kind: 'authenticated', principal: { user: match.login, scheme: 'bearer' } }
          : { kind: 'rejected', scheme: 'bearer' };
      },
      unauthorized: (failure) =>
        jsonResponse(401, {
          message: failure.kind === 'missing' ? 'Requires authentication' : 'Bad credentials',
          documentation_url: DOCS,
        }),
      errorResponse: (status, message, retryAfterSeconds) =>
        jsonResponse(
          status,
          { message, documentation_url: DOCS },
          retryAfterSeconds === undefined
            ? undefined
            : { 'retry-after': String(retryAfterSeconds) },
        ),
      rateLimited: (retryAfterSeconds, limitPerSecond, at) =>
        jsonResponse(
          options.rateLimitStatus ?? 403,
          {
            message:
              'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
            documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
          },
          {
            'retry-after': String(retryAfterSeconds),
            'x-ratelimit-limit': String(Math.max(1, Math.floor(limitPerSecond * 3600))),
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String(Math.ceil(at.getTime() / 1000) + retryAfterSeconds),
            'x-ratelimit-resource': 'core',
          },
        ),
      ticketTable: () => ({
        title: 'Fake GitHub — pull requests',
        columns: ['Repository', '#', 'Title', 'State', 'Head', 'Labels', 'Author'],
        rows: store
          .all()
          .flatMap((repo) =>
            repo.pulls.map((p) => [
              repo.fullName,
              String(p.number),
              p.title,
              p.mergedAt !== null ? 'merged' : p.state,
              p.head,
              p.labels.join(', '),
              p.createdBy,
            ]),
          ),
      }),
      secrets: () => tokens.map((t) => t.token),
      reset: () => store.reset(),
      snapshot: () => self.fake!.snapshot(),
    };
    const server = await FakeHttpServer.start(service, baseUrl, { ...options, clock });
    const fake = new FakeGitHub(server, store, tokens);
    self.fake = fake;
    return fake;
  }

  /** hum's bot token. */
  get botToken(): string {
    return this.tokens[0]!.token;
  }

  createRepository(init: RepositoryInit): void {
    this.store.create(init);
  }

  private repo(owner: string, name: string): FakeRepository {
    const repo = this.store.find(owner, name);
    if (!repo) throw new ControlError(404, `no repository ${owner}/${name}`);
    return repo;
  }

  /** A person pushes a commit (to the default branch unless told), e.g. to cause a conflict. */
  pushCommit(
    owner: string,
    name: string,
    files: Readonly<Record<string, string | null>>,
    options: { branch?: string; message?: string } = {},
  ): string {
    const repo = this.repo(owner, name);
    const branch = options.branch ?? repo.git.defaultBranch;
    if (!repo.git.branches.has(branch)) throw new ControlError(404, `no branch ${branch}`);
    const commit = repo.git.commitOnBranch(branch, files, options.message ?? 'Change by a person', {
      name: 'riley-human',
      email: 'riley@example.test',
    });
    this.store.runCi(repo, commit.sha, branch);
    return commit.sha;
  }

  /** What the fake CI reports for the next commits of a repository. */
  setCi(owner: string, name: string, ci: CiBehaviour): void {
    this.repo(owner, name).ci = ci;
  }

  /** Completes (or overrides) a check run on a branch head or commit. */
  completeCheck(
    owner: string,
    name: string,
    ref: string,
    check: string,
    conclusion: CheckConclusion,
  ): void {
    const repo = this.repo(owner, name);
    const sha = repo.git.resolve(ref);
    if (sha === undefined) throw new ControlError(404, `no ref ${ref}`);
    this.store.addCheckRun(repo, { name: check, headSha: sha, status: 'completed', conclusion });
  }

  pulls(owner: string, name: string): PullRequestSnapshot[] {
    const repo = this.repo(owner, name);
    return repo.pulls.map((p) => ({
      number: p.number,
      title: p.title,
      body: p.body,
      head: p.head,
      base: p.base,
      state: p.state,
      merged: p.mergedAt !== null,
      labels: [...p.labels],
      url: `${this.url}/${repo.fullName}/pull/${p.number}`,
      createdBy: p.createdBy,
    }));
  }

  branches(owner: string, name: string): Record<string, string> {
    return Object.fromEntries(this.repo(owner, name).git.branches);
  }

  /** A file's content at a branch or commit; undefined when absent. */
  file(owner: string, name: string, ref: string, path: string): string | undefined {
    return this.repo(owner, name).git.filesAt(ref)?.get(path);
  }

  /** Commits on a branch that are not on the default branch (how many the bot pushed). */
  commitsAhead(owner: string, name: string, branch: string): number {
    const repo = this.repo(owner, name);
    const head = repo.git.branches.get(branch);
    const base = repo.git.branches.get(repo.git.defaultBranch)!;
    if (head === undefined) return 0;
    const onBase = repo.git.ancestors(base);
    return [...repo.git.ancestors(head)].filter((sha) => !onBase.has(sha)).length;
  }

  snapshot(): { repositories: unknown[] } {
    return {
      repositories: this.store.all().map((repo) => ({
        fullName: repo.fullName,
        defaultBranch: repo.git.defaultBranch,
        branches: Object.fromEntries(repo.git.branches),
        pulls: this.pulls(repo.owner, repo.name),
      })),
    };
  }
}

/**
 * A local GitHub REST API: repositories with real (in-memory) Git objects, refs, contents and
 * the git data API, pull requests with mergeability from a three-way file comparison, labels,
 * check runs and commit statuses with branch protection, merges; GitHub's error shapes and
 * its secondary rate limit (403 + Retry-After).
 */
export function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  return FakeGitHub.start(options);
}
