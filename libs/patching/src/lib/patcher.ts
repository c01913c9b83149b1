import type {
  ClassifiedFindingV1,
  FindingV1,
  PatchStrategyName,
  RemediationTier,
} from '@hum/contracts';
import type { FixVersion } from '@hum/policy';
import type { PatchTarget } from './targets/patch-target';

/** Why an applied patch did not succeed: the `reasons` of a `failed` remediation event. */
export const PATCH_FAILURE_REASONS = {
  'api-error': 'the remote API refused a request',
  'api-unavailable': 'the remote API stayed unavailable through every retry',
  'merge-conflict': 'the change does not merge cleanly into the base branch',
  'checks-failed': "the repository's required checks failed",
  'job-failed': 'the automation job failed',
  timeout: 'no result within the configured time',
  'manifest-not-found': 'no manifest to edit was found where the finding points',
  'dependency-not-found': 'the manifest does not declare the component',
  'unsupported-manifest': 'the declaration is in a form a bot must not rewrite',
  'change-closed': 'the pull/merge request was closed without merging',
  'executor-rejected': 'the patch executor refused the request',
} as const;

export type PatchFailureReason = keyof typeof PATCH_FAILURE_REASONS;

export interface PatchRequest {
  /** `<fingerprint>:<toVersion>`: names branches, jobs and idempotency keys deterministically. */
  readonly attemptKey: string;
  readonly finding: FindingV1;
  readonly tier: RemediationTier;
  readonly classification: Pick<
    ClassifiedFindingV1['classification'],
    'score' | 'factors' | 'policyVersion'
  >;
  readonly fix: FixVersion;
  readonly target: PatchTarget;
}

export type PatchOutcome =
  | { readonly status: 'applied'; readonly url: string; readonly detail: string }
  | {
      readonly status: 'failed';
      readonly reason: PatchFailureReason;
      readonly detail: string;
      readonly url?: string;
    }
  /** Sent, result to come (a webhook executor that calls back). */
  | { readonly status: 'pending'; readonly detail: string; readonly url?: string };

export interface PatchContext {
  /** Aborted when the service stops: give up promptly; the attempt is resumed after restart. */
  readonly signal: AbortSignal;
  /** Waits between polls (a port, so specs need not wait for real). */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now: () => Date;
  /** Keeps the attempt's lease while a long poll runs. */
  readonly heartbeat: () => Promise<void>;
}

/**
 * One way of applying a dependency fix. Implementations are idempotent per attempt key: they
 * look up what an earlier, interrupted call created (a branch, a pull request, a job) before
 * creating anything, so a crash or a retry never applies a patch twice. Transport faults are
 * thrown (RetryableError / ApiError); outcomes of the patch itself are returned.
 */
export interface Patcher {
  readonly strategy: PatchStrategyName;
  apply(request: PatchRequest, context: PatchContext): Promise<PatchOutcome>;
  /**
   * What an earlier `apply` left behind, without side effects: used when a gate closed (kill
   * switch, freeze) while an attempt was interrupted, so its outcome is reported, not re-run.
   */
  lookup(request: PatchRequest, context: PatchContext): Promise<PatchOutcome | undefined>;
}

export function failed(reason: PatchFailureReason, detail: string, url?: string): PatchOutcome {
  return url === undefined
    ? { status: 'failed', reason, detail }
    : { status: 'failed', reason, detail, url };
}
