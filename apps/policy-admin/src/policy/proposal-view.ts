import type { Selectable } from 'kysely';
import type { ChangeAssessment, PolicyChange, ProposalState } from '@hum/policy';
import type { AdminTables } from '../database/schema';

export interface ProposalView {
  id: string;
  target: string;
  change: PolicyChange;
  reason: string;
  approval: 'immediate' | 'second-person';
  rationale: string;
  changes: ChangeAssessment['changes'];
  /** `expired` shows as soon as the expiry passes, before the timer job records it. */
  state: ProposalState;
  proposedBy: string;
  proposedAt: string;
  expiresAt: string;
  baseVersion: number;
  decidedBy?: string;
  decidedAt?: string;
  note?: string;
  resultVersion?: number;
}

export function proposalView(row: Selectable<AdminTables['proposals']>, now: Date): ProposalView {
  const state: ProposalState =
    row.state === 'pending' && row.expires_at.getTime() <= now.getTime() ? 'expired' : row.state;
  return {
    id: row.id,
    target: row.target,
    change: row.change,
    reason: row.reason,
    approval: row.approval,
    rationale: row.assessment.rationale,
    changes: row.assessment.changes,
    state,
    proposedBy: row.proposed_by,
    proposedAt: new Date(row.proposed_at).toISOString(),
    expiresAt: new Date(row.expires_at).toISOString(),
    baseVersion: row.base_version,
    ...(row.decided_by !== null ? { decidedBy: row.decided_by } : {}),
    ...(row.decided_at !== null ? { decidedAt: new Date(row.decided_at).toISOString() } : {}),
    ...(row.decision_note !== null ? { note: row.decision_note } : {}),
    ...(row.result_version !== null ? { resultVersion: row.result_version } : {}),
  };
}
