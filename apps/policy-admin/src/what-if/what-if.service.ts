import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type { Clock } from '@hum/common';
import { REMEDIATION_TIERS } from '@hum/contracts';
import { forEachChunk } from '@hum/persistence';
import {
  applyChange,
  type AttemptStatus,
  type PolicyChange,
  type PolicySnapshot,
  type PriorAttempt,
  replayDecisions,
  type ReplayItem,
  type ReplayResult,
} from '@hum/policy';
import type { AdminDatabase } from '../database/schema';
import { readPolicy } from '../policy/policy-records';
import { ADMIN_CLOCK, ADMIN_DB } from '../tokens';

/** Findings replayed at most; older ones beyond this are left out (and the answer says so). */
const MAX_ITEMS = 100_000;

export interface WhatIfOutcome {
  days: number;
  from: string;
  to: string;
  findings: number;
  truncated: boolean;
  /** The policy in force, replayed over the same findings: the baseline to compare against. */
  current: WhatIfSummary;
  proposed: WhatIfSummary;
}

export interface WhatIfSummary {
  /** Patches applied (mode on) and planned (dry-run), in total and per team and tier. */
  total: ReplayResult['total'];
  byTeam: ReplayResult['byTeam'];
  byTier: ReplayResult['byTier'];
  /** Budgets that alone refused patches, and how often. */
  budgetsBound: ReplayResult['budgetsBound'];
  reasons: ReplayResult['reasons'];
}

const ATTEMPT_STATUSES: Readonly<Record<string, AttemptStatus>> = {
  applied: 'applied',
  failed: 'failed',
  planned: 'planned',
};

function summary(result: ReplayResult): WhatIfSummary {
  return {
    total: result.total,
    byTeam: result.byTeam,
    byTier: result.byTier,
    budgetsBound: result.budgetsBound,
    reasons: result.reasons,
  };
}

/**
 * "What would this policy have done?": the classified findings stored over the last N days,
 * replayed in time order through the patcher's own decision code (libs/policy decision) under
 * the policy in force and under the proposed one.
 */
@Injectable()
export class WhatIfService {
  constructor(
    @Inject(ADMIN_DB) private readonly db: Kysely<AdminDatabase>,
    @Inject(ADMIN_CLOCK) private readonly clock: Clock,
  ) {}

  async evaluate(change: PolicyChange, days: number): Promise<WhatIfOutcome> {
    const to = this.clock.now();
    const from = new Date(to.getTime() - days * 24 * 3_600_000);
    const current = await readPolicy(this.db);
    const proposed: PolicySnapshot = {
      ...current,
      ...(change.kind === 'tier'
        ? {
            tiers: {
              ...current.tiers,
              [change.tier]: applyChange(current, change, { at: to, decidedBy: ['what-if'] }),
            },
          }
        : { global: applyChange(current, change, { at: to, decidedBy: ['what-if'] }) }),
    } as PolicySnapshot;
    const rows = await this.db
      .selectFrom('rm_classified')
      .select(['event', 'at', 'tier'])
      .where('at', '>=', from)
      .where('at', '<', to)
      .where('tier', 'in', [...REMEDIATION_TIERS])
      .orderBy('at', 'desc')
      .limit(MAX_ITEMS + 1)
      .execute();
    const truncated = rows.length > MAX_ITEMS;
    const items: ReplayItem[] = rows.slice(0, MAX_ITEMS).map((row) => ({
      finding: row.event.finding,
      tier: row.tier,
      at: new Date(row.at),
    }));
    const history = await this.history(from, [...new Set(items.map((i) => i.finding.fingerprint))]);
    const options = { history, assumedPatchDurationMs: 10 * 60_000 };
    return {
      days,
      from: from.toISOString(),
      to: to.toISOString(),
      findings: items.length,
      truncated,
      current: summary(replayDecisions(items, { ...options, policy: current })),
      proposed: summary(replayDecisions(items, { ...options, policy: proposed })),
    };
  }

  /** Attempts that really happened before the window: a fix applied then is not applied again. */
  private async history(
    before: Date,
    fingerprints: string[],
  ): Promise<Map<string, PriorAttempt[]>> {
    const history = new Map<string, PriorAttempt[]>();
    await forEachChunk(fingerprints, 1_000, async (chunk) => {
      const rows = await this.db
        .selectFrom('rm_remediations')
        .select(['fingerprint', 'attempt_key', 'status'])
        .where('decided_at', '<', before)
        .where('fingerprint', 'in', chunk)
        .execute();
      for (const row of rows) {
        const status = ATTEMPT_STATUSES[row.status];
        if (status === undefined) continue;
        const list = history.get(row.fingerprint) ?? [];
        list.push({ attemptKey: row.attempt_key, status });
        history.set(row.fingerprint, list);
      }
    });
    return history;
  }
}
