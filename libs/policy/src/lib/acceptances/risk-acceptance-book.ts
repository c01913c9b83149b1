import type { RiskAcceptanceV1, RiskTier } from '@hum/contracts';
import { acceptanceLapse } from '../proposals/risk-acceptance-rules';

/** What the book needs of a finding to say whether an acceptance covers it. */
export interface AcceptanceSubject {
  fingerprint: string;
  tier: RiskTier;
  /** Every ticket group the finding can belong to (`ticketGroupKeys` in contracts). */
  groupKeys: readonly string[];
}

/**
 * The risk acceptances in force, as policy-admin publishes them: a finding is covered while an
 * active acceptance of it (or of one of its groups) has not expired and its risk has not
 * risen above the tier it was accepted at. The book re-checks expiry and tier itself, so a
 * lapse counts at once even before policy-admin's record of it arrives.
 */
export class RiskAcceptanceBook {
  private readonly byId = new Map<string, RiskAcceptanceV1>();
  private readonly byTarget = new Map<string, Set<string>>();

  /** Applies one record (the latest version per id wins) or, with `null`, a tombstone. */
  apply(id: string, record: RiskAcceptanceV1 | null): void {
    const held = this.byId.get(id);
    if (record !== null && held !== undefined && held.version > record.version) return;
    if (held !== undefined) this.byTarget.get(targetKey(held))?.delete(id);
    if (record === null) {
      this.byId.delete(id);
      return;
    }
    this.byId.set(id, record);
    const key = targetKey(record);
    const ids = this.byTarget.get(key) ?? new Set<string>();
    ids.add(id);
    this.byTarget.set(key, ids);
  }

  /** The acceptance covering the finding now, if any. */
  coverFor(subject: AcceptanceSubject, now: Date): RiskAcceptanceV1 | undefined {
    const keys = [
      `finding:${subject.fingerprint}`,
      ...subject.groupKeys.map((groupKey) => `group:${groupKey}`),
    ];
    for (const key of keys) {
      for (const id of this.byTarget.get(key) ?? []) {
        const acceptance = this.byId.get(id);
        if (acceptance === undefined || acceptance.state !== 'active') continue;
        const lapse = acceptanceLapse(
          { expiresAt: new Date(acceptance.expiresAt), acceptedTier: acceptance.acceptedTier },
          now,
          subject.tier,
        );
        if (lapse === undefined) return acceptance;
      }
    }
    return undefined;
  }

  size(): number {
    return this.byId.size;
  }
}

function targetKey(record: RiskAcceptanceV1): string {
  return record.target.kind === 'finding'
    ? `finding:${record.target.fingerprint}`
    : `group:${record.target.groupKey}`;
}
