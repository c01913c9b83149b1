import { createHash } from 'node:crypto';
import type { FindingV1 } from './finding';

/**
 * How findings share a ticket: one per finding, per vulnerability in an asset (one CVE in three
 * lockfiles), or per component in an asset (everything one upgrade fixes). The group key is
 * part of the contract: it travels in `tickets.events` and names what a risk acceptance covers.
 */
export const GROUPING_POLICIES = ['per-finding', 'asset-vulnerability', 'asset-component'] as const;
export type GroupingPolicy = (typeof GROUPING_POLICIES)[number];

// Group keys travel in tickets.events (max 500) and ledger keys: long parts are hashed.
const MAX_PART = 180;

function part(value: string): string {
  const clean = value.trim();
  return clean.length <= MAX_PART
    ? clean
    : `${clean.slice(0, 100)}~${createHash('sha256').update(clean).digest('hex').slice(0, 16)}`;
}

/** What makes two findings "the same problem" in an asset: the advisory, else the rule. */
function vulnerabilityOf(finding: FindingV1): string {
  return finding.vulnerability?.id ?? finding.rule?.id ?? finding.title;
}

/** The thing to change: the component, else the file, else the rule. */
function componentOf(finding: FindingV1): string {
  return finding.component?.name ?? finding.location?.path ?? finding.rule?.id ?? finding.title;
}

/** The key of the group a finding belongs to under a grouping policy. */
export function ticketGroupKey(policy: GroupingPolicy, finding: FindingV1): string {
  switch (policy) {
    case 'per-finding':
      return `finding:${finding.fingerprint}`;
    case 'asset-vulnerability':
      return `asset-vuln:${part(finding.asset.id)}:${part(vulnerabilityOf(finding))}`;
    case 'asset-component':
      return `asset-component:${part(finding.asset.id)}:${part(componentOf(finding))}`;
  }
}

/** Every group a finding can belong to, whatever grouping its route uses. */
export function ticketGroupKeys(finding: FindingV1): string[] {
  return GROUPING_POLICIES.map((policy) => ticketGroupKey(policy, finding));
}

/** A failed auto-patch gets a ticket of its own, once per attempt. */
export function remediationGroupKey(attemptKey: string): string {
  return `remediation:${part(attemptKey)}`;
}
