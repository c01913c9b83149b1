import type { AuditDraft } from '@hum/audit';
import {
  type AuditEntryV1,
  type FindingV1,
  type PatchStrategyName,
  type RemediationEventV1,
  type RemediationStatus,
  type RemediationTier,
  TOPICS,
} from '@hum/contracts';
import type { OutgoingEvent } from '@hum/kafka';
import type { FixVersion } from '@hum/policy';
import { SERVICE_NAME } from '../config';

export const PATCHER_ACTOR = { type: 'service', id: SERVICE_NAME } as const;

export interface RemediationFacts {
  readonly attemptKey: string;
  readonly finding: FindingV1;
  readonly tier: RemediationTier;
  readonly status: RemediationStatus;
  readonly reasons: readonly string[];
  readonly notes?: readonly string[];
  readonly detail?: string;
  readonly strategy?: PatchStrategyName;
  readonly fix?: FixVersion;
  readonly url?: string;
  readonly policyVersion: string;
  readonly decidedAt: Date;
}

/** The remediation.events payload of one decision or outcome, within the contract's limits. */
export function remediationEvent(facts: RemediationFacts): RemediationEventV1 {
  const detail = [facts.detail, ...(facts.notes ?? [])].filter(
    (d): d is string => d !== undefined && d !== '',
  );
  return {
    attemptKey: facts.attemptKey,
    fingerprint: facts.finding.fingerprint,
    asset: facts.finding.asset,
    ...(facts.finding.asset.team !== undefined ? { team: facts.finding.asset.team } : {}),
    tier: facts.tier,
    title: facts.finding.title,
    status: facts.status,
    reasons: facts.reasons.slice(0, 20).map((r) => r.slice(0, 100)),
    ...(detail.length > 0 ? { detail: detail.join('; ').slice(0, 4000) } : {}),
    ...(facts.strategy !== undefined ? { strategy: facts.strategy } : {}),
    ...(facts.fix !== undefined
      ? {
          fix: {
            component: facts.fix.component,
            ecosystem: facts.fix.ecosystem,
            fromVersion: facts.fix.fromVersion,
            toVersion: facts.fix.toVersion,
          },
        }
      : {}),
    ...(facts.url !== undefined ? { url: facts.url.slice(0, 2048) } : {}),
    policyVersion: facts.policyVersion.slice(0, 100),
    decidedAt: facts.decidedAt.toISOString(),
  };
}

export function remediationOutput(event: RemediationEventV1): OutgoingEvent {
  return { topic: TOPICS.remediationEvents, key: event.fingerprint, data: event };
}

export function auditOutput(entry: AuditEntryV1): OutgoingEvent {
  return { topic: TOPICS.auditLog, key: entry.entity.id, data: entry };
}

/** `patcher.patch.<status>` for a decision or an outcome, with what a reviewer needs. */
export function patchAudit(
  event: RemediationEventV1,
  action: 'planned' | 'skipped' | 'queued' | 'applied' | 'failed' | 'cancelled',
  at: Date,
): AuditDraft {
  return {
    at,
    actor: PATCHER_ACTOR,
    action: `patcher.patch.${action}`,
    entity: { type: 'patch-attempt', id: event.attemptKey },
    outcome:
      action === 'failed'
        ? 'failed'
        : action === 'skipped' || action === 'cancelled'
          ? 'denied'
          : 'success',
    details: {
      fingerprint: event.fingerprint,
      assetId: event.asset.id,
      tier: event.tier,
      reasons: event.reasons,
      policyVersion: event.policyVersion,
      ...(event.fix ? { fix: event.fix } : {}),
      ...(event.strategy ? { strategy: event.strategy } : {}),
      ...(event.url ? { url: event.url } : {}),
      ...(event.detail ? { detail: event.detail.slice(0, 1000) } : {}),
    },
  };
}
