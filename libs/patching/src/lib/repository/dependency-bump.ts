import { commitMessage, patchBranchName, patchExplanation, patchTitle } from '../explanation';
import { type LockfilePolicy, planManifestEdits } from '../manifests/manifest-plan';
import { failed, type PatchContext, type PatchOutcome, type PatchRequest } from '../patcher';
import type { ChangeRequest, RepositoryHost } from './repository-host';

export interface DependencyBumpOptions {
  readonly labels: readonly string[];
  readonly draft: boolean;
  readonly lockfile: LockfilePolicy;
  readonly autoMerge: {
    readonly enabled: boolean;
    readonly method: 'merge' | 'squash' | 'rebase';
    readonly checksTimeout: number;
    readonly pollInterval: number;
  };
  /** `pull request` / `merge request`, for outcome details. */
  readonly noun: string;
}

function labelsFor(request: PatchRequest, options: DependencyBumpOptions): string[] {
  return [...new Set([...options.labels, `hum-tier-${request.tier}`])];
}

/**
 * What an earlier attempt left on the host: its change request (open, merged or closed) from
 * the attempt's deterministic branch. No side effects.
 */
export async function lookupDependencyBump(
  host: RepositoryHost,
  request: PatchRequest,
  options: DependencyBumpOptions,
): Promise<PatchOutcome | undefined> {
  const existing = await host.findChangeRequest(patchBranchName(request));
  if (existing === undefined) return undefined;
  return (
    settled(existing, options) ?? {
      status: 'applied',
      url: existing.url,
      detail: `${options.noun} open (found after an interruption)`,
    }
  );
}

function settled(request: ChangeRequest, options: DependencyBumpOptions): PatchOutcome | undefined {
  if (request.state === 'merged')
    return { status: 'applied', url: request.url, detail: `${options.noun} merged` };
  if (request.state === 'closed')
    return failed('change-closed', `${options.noun} was closed without merging`, request.url);
  return undefined;
}

/**
 * The shared dependency-bump flow, idempotent per attempt: find the attempt's change request
 * by its branch; else find the branch (a crash after pushing it) and open the request; else
 * edit the manifests at the default branch, push one commit on a new branch and open the
 * request with the finding's explanation and labels. With auto-merge, wait for the required
 * checks and merge, or report why not.
 */
export async function applyDependencyBump(
  host: RepositoryHost,
  request: PatchRequest,
  options: DependencyBumpOptions,
  context: PatchContext,
): Promise<PatchOutcome> {
  const branch = patchBranchName(request);
  let change = await host.findChangeRequest(branch);
  if (change?.state === 'open') await host.addLabels(change, labelsFor(request, options));
  if (change === undefined) {
    const base = await host.defaultBranch();
    const plan = await planManifestEdits({
      ecosystem: request.fix.ecosystem,
      componentPath: request.finding.component?.path,
      bump: {
        name: request.fix.component,
        fromVersion: request.fix.fromVersion,
        toVersion: request.fix.toVersion,
      },
      lockfile: options.lockfile,
      read: (path) => host.readFile(path, base),
    });
    const pushed = (await host.branchHead(branch)) !== undefined;
    if (!pushed) {
      if (!plan.ok) return failed(plan.reason, plan.detail);
      await host.createBranchWithCommit({
        branch,
        base,
        message: commitMessage(request, plan.summary),
        files: plan.files,
      });
    }
    const body = patchExplanation(
      request,
      plan.ok
        ? plan
        : { summary: [`${request.fix.component} -> ${request.fix.toVersion}`], notes: [] },
    );
    const opened = await host.openChangeRequest({
      branch,
      base,
      title: patchTitle(request),
      body,
      labels: labelsFor(request, options),
      draft: options.draft,
    });
    change = opened === 'exists' ? await host.findChangeRequest(branch) : opened;
    if (change === undefined)
      throw new Error(`${host.label}: a ${options.noun} from ${branch} exists but cannot be found`);
  }
  const done = settled(change, options);
  if (done !== undefined) return done;
  if (!options.autoMerge.enabled)
    return { status: 'applied', url: change.url, detail: `${options.noun} opened` };
  return mergeWhenGreen(host, change, options, context);
}

async function mergeWhenGreen(
  host: RepositoryHost,
  change: ChangeRequest,
  options: DependencyBumpOptions,
  context: PatchContext,
): Promise<PatchOutcome> {
  const deadline = context.now().getTime() + options.autoMerge.checksTimeout;
  for (;;) {
    const checks = await host.checks(change);
    if (checks.state === 'failure') return failed('checks-failed', checks.detail, change.url);
    if (checks.state === 'success') {
      const merge = await host.merge(change, options.autoMerge.method);
      if (merge.result === 'merged')
        return {
          status: 'applied',
          url: change.url,
          detail: `${options.noun} merged after checks passed`,
        };
      if (merge.result === 'conflict') return failed('merge-conflict', merge.detail, change.url);
    }
    if (context.now().getTime() >= deadline)
      return failed(
        'timeout',
        `required checks did not pass within ${Math.round(options.autoMerge.checksTimeout / 1000)} s (${checks.detail})`,
        change.url,
      );
    await context.heartbeat();
    await context.sleep(options.autoMerge.pollInterval, context.signal);
  }
}
