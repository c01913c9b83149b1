import {
  canonicalJson,
  type GlobalPolicyV1,
  type RemediationMode,
  teamInFlightBudget,
  type TierPolicyV1,
} from '@hum/contracts';
import type { PolicySnapshot } from '../policy-snapshot';
import {
  type GateThreshold,
  type GlobalChange,
  type PolicyChange,
  type PolicyRecordKey,
  policyKeyOf,
  type TierChange,
} from './policy-change';

/** Whether a field's new value lets automation (or the pipeline) do more, or less. */
export type Direction = 'lowers' | 'raises';

export interface FieldChange {
  /** Dotted field name as in the record, e.g. `mode`, `budgets.patchesPerHour`, `gate.prod`. */
  field: string;
  from: unknown;
  to: unknown;
  direction: Direction;
}

/**
 * `immediate`: one admin decides and the change applies at once. `second-person`: it waits
 * for a different person with the approver role.
 */
export type ApprovalNeed = 'immediate' | 'second-person';

export interface ChangeAssessment {
  key: PolicyRecordKey;
  changes: FieldChange[];
  approval: ApprovalNeed;
  /** One sentence for the proposer, the approver and the audit entry. */
  rationale: string;
}

export type AssessmentResult =
  | { ok: true; assessment: ChangeAssessment }
  | { ok: false; code: 'no-change' | 'invalid-result'; reason: string };

const MODE_RANK: Readonly<Record<RemediationMode, number>> = { off: 0, 'dry-run': 1, on: 2 };

/** Looser gates let more risk through: `none` (nothing open allowed) is the strictest. */
const GATE_RANK: Readonly<Record<GateThreshold, number>> = {
  none: 0,
  info: 1,
  low: 2,
  medium: 3,
  high: 4,
  critical: 5,
};

function compare(field: string, from: number, to: number): FieldChange | undefined {
  if (from === to) return undefined;
  return { field, from, to, direction: to > from ? 'raises' : 'lowers' };
}

function tierChanges(current: TierPolicyV1, change: TierChange): FieldChange[] {
  const changes: (FieldChange | undefined)[] = [];
  if (change.mode !== undefined && change.mode !== current.mode) {
    changes.push({
      field: 'mode',
      from: current.mode,
      to: change.mode,
      direction: MODE_RANK[change.mode] > MODE_RANK[current.mode] ? 'raises' : 'lowers',
    });
  }
  for (const [name, value] of Object.entries(change.budgets ?? {})) {
    const budget = name as keyof TierPolicyV1['budgets'];
    // An absent perTeamInFlight is the tier's maxInFlight: compare with what is in force.
    const from =
      budget === 'perTeamInFlight' ? teamInFlightBudget(current.budgets) : current.budgets[budget];
    if (value !== undefined) changes.push(compare(`budgets.${budget}`, from, value));
  }
  // A longer SLA gives teams more time before a finding is overdue: a loosening.
  if (change.slaDays !== undefined)
    changes.push(compare('slaDays', current.slaDays, change.slaDays));
  return changes.filter((c): c is FieldChange => c !== undefined);
}

/** Entries removed from a protective list loosen it; entries only added tighten it. */
function listChange<T>(
  field: string,
  from: readonly T[],
  to: readonly T[],
): FieldChange | undefined {
  const key = (item: T): string => canonicalJson(item);
  const before = new Set(from.map(key));
  const after = new Set(to.map(key));
  const removed = [...before].some((k) => !after.has(k));
  const added = [...after].some((k) => !before.has(k));
  if (!removed && !added) return undefined;
  return { field, from, to, direction: removed ? 'raises' : 'lowers' };
}

function globalChanges(current: GlobalPolicyV1, change: GlobalChange): FieldChange[] {
  const changes: (FieldChange | undefined)[] = [];
  if (change.killSwitch !== undefined && change.killSwitch !== current.killSwitch) {
    changes.push({
      field: 'killSwitch',
      from: current.killSwitch,
      to: change.killSwitch,
      // Engaging the kill switch stops automation; releasing it lets automation run again.
      direction: change.killSwitch ? 'lowers' : 'raises',
    });
  }
  if (change.freezeWindows !== undefined)
    changes.push(listChange('freezeWindows', current.freezeWindows, change.freezeWindows));
  if (change.denyList !== undefined)
    changes.push(listChange('denyList', current.denyList, change.denyList));
  for (const stage of ['test', 'prod'] as const) {
    const to = change.gate?.[stage];
    const from = current.gate[stage];
    if (to === undefined || to === from) continue;
    changes.push({
      field: `gate.${stage}`,
      from,
      to,
      direction: GATE_RANK[to] > GATE_RANK[from] ? 'raises' : 'lowers',
    });
  }
  return changes.filter((c): c is FieldChange => c !== undefined);
}

function describe(change: FieldChange): string {
  const text = (value: unknown): string =>
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : `${Array.isArray(value) ? value.length : '?'} entries`;
  return `${change.field} ${text(change.from)} -> ${text(change.to)}`;
}

/**
 * The two-person rule. Lowering automation (a mode down, a smaller budget, the kill switch
 * engaged, a freeze window or deny entry added) applies at once on one admin's word. Raising
 * the `low` tier needs one admin. Anything else that raises — any tier above `low`, releasing
 * the kill switch, removing a freeze window or deny entry, loosening the gate — waits for a
 * second, different person with the approver role. A change that both lowers and raises is
 * judged by what it raises.
 */
export function approvalFor(
  key: PolicyRecordKey,
  changes: readonly FieldChange[],
): ChangeAssessment {
  const raising = changes.filter((c) => c.direction === 'raises');
  if (raising.length === 0) {
    return {
      key,
      changes: [...changes],
      approval: 'immediate',
      rationale: `lowers ${key} (${changes.map(describe).join(', ')}): applies at once`,
    };
  }
  if (key === 'tier:low') {
    return {
      key,
      changes: [...changes],
      approval: 'immediate',
      rationale: `raises ${key} (${raising.map(describe).join(', ')}): one admin decides the low tier`,
    };
  }
  return {
    key,
    changes: [...changes],
    approval: 'second-person',
    rationale: `raises ${key} (${raising.map(describe).join(', ')}): needs a second person with the approver role`,
  };
}

/** Compares a change with the policy in force and says what it does and who must agree. */
export function assessChange(snapshot: PolicySnapshot, change: PolicyChange): AssessmentResult {
  const key = policyKeyOf(change);
  const changes =
    change.kind === 'tier'
      ? tierChanges(snapshot.tiers[change.tier], change)
      : globalChanges(snapshot.global, change);
  if (changes.length === 0) {
    return { ok: false, code: 'no-change', reason: `the change leaves ${key} as it is` };
  }
  if (change.kind === 'tier') {
    const budgets = { ...snapshot.tiers[change.tier].budgets, ...change.budgets };
    if (budgets.perTeamPerHour > budgets.patchesPerHour) {
      return {
        ok: false,
        code: 'invalid-result',
        reason: `budgets.perTeamPerHour (${budgets.perTeamPerHour}) cannot exceed budgets.patchesPerHour (${budgets.patchesPerHour})`,
      };
    }
    if (budgets.perTeamInFlight !== undefined && budgets.perTeamInFlight > budgets.maxInFlight) {
      return {
        ok: false,
        code: 'invalid-result',
        reason: `budgets.perTeamInFlight (${budgets.perTeamInFlight}) cannot exceed budgets.maxInFlight (${budgets.maxInFlight})`,
      };
    }
  }
  return { ok: true, assessment: approvalFor(key, changes) };
}
