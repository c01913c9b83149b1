import { sql } from 'kysely';
import { appendAudit } from '@hum/audit';
import { type FindingResolvedV1, TOPICS } from '@hum/contracts';
import { parseJsonText } from '@hum/persistence';
import type { OutgoingEvent } from '@hum/kafka';
import { type BreakerPolicy, decideResolution } from '@hum/risk';
import { jsonRows } from './json-rows';
import type { ClassifierTransaction } from './schema';

export const AUDIT_CHAIN = 'risk-classifier';

type Trx = ClassifierTransaction;

export interface EvaluationOutcome {
  events: OutgoingEvent[];
  resolved: number;
  blocked: boolean;
  stale: boolean;
}

const NONE: EvaluationOutcome = { events: [], resolved: 0, blocked: false, stale: false };

/**
 * Evaluates a scan once the classifier holds every finding it announced (complete): findings
 * of its scope that it did not show are resolved — unless they are still seen by another
 * tool's scope, or the scan is older than one already evaluated, or the mass-closure breaker
 * trips (then nothing is resolved and an audit entry says why).
 */
/**
 * The scans among `scans` that may be complete (announced, still collecting, and with as many
 * sightings counted as announced), for a whole batch in one lock-free query: most batches
 * complete no scan, and only candidates need {@link evaluateScanIfComplete}, which looks again
 * under the scan's lock.
 */
export async function scansThatMayBeComplete<
  T extends { readonly scanId: string; readonly scopeKey: string },
>(trx: Trx, scans: readonly T[]): Promise<T[]> {
  if (scans.length === 0) return [];
  const keys = scans.map((scan) => ({ scan_id: scan.scanId, scope_key: scan.scopeKey }));
  const { rows } = await sql<{ scan_id: string; scope_key: string }>`
    select r.scan_id, r.scope_key
    from ${jsonRows(keys)} as r(scan_id text, scope_key text)
    join scans s on s.scan_id = r.scan_id::uuid and s.scope_key = r.scope_key
    where s.status = 'collecting' and s.expected_count is not null
      and s.expected_count <= (
        select coalesce(sum(c.received), 0) from scan_counts c
        where c.scan_id = s.scan_id and c.scope_key = s.scope_key)`.execute(trx);
  const candidates = new Set(rows.map((row) => `${row.scan_id}\u0000${row.scope_key}`));
  return scans.filter((scan) => candidates.has(`${scan.scanId}\u0000${scan.scopeKey}`));
}

export async function evaluateScanIfComplete(
  trx: Trx,
  scanId: string,
  scopeKey: string,
  breaker: BreakerPolicy,
  now: Date,
): Promise<EvaluationOutcome> {
  const receivedSoFar = async (): Promise<number> => {
    const { received } = await trx
      .selectFrom('scan_counts')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('received'), eb.lit(0)).as('received'))
      .where('scan_id', '=', scanId)
      .where('scope_key', '=', scopeKey)
      .executeTakeFirstOrThrow();
    return Number(received);
  };
  // A lock-free look first, so batches of one big scan do not queue on each other; only a
  // batch that may complete the scan takes the lock. Two final batches racing may both miss
  // it: the sweeper (ScanSweeper) re-announces such scans and their evaluation happens then.
  const glance = await trx
    .selectFrom('scans')
    .select(['status', 'expected_count'])
    .where('scan_id', '=', scanId)
    .where('scope_key', '=', scopeKey)
    .executeTakeFirst();
  if (!glance || glance.status !== 'collecting' || glance.expected_count === null) return NONE;
  if ((await receivedSoFar()) < glance.expected_count) return NONE;
  await sql`select pg_advisory_xact_lock(hashtext(${`scan:${scanId}:${scopeKey}`}))`.execute(trx);
  const scan = await trx
    .selectFrom('scans')
    .selectAll()
    .where('scan_id', '=', scanId)
    .where('scope_key', '=', scopeKey)
    .forUpdate()
    .executeTakeFirst();
  if (
    !scan ||
    scan.status !== 'collecting' ||
    scan.expected_count === null ||
    scan.started_at === null
  ) {
    return NONE;
  }
  if ((await receivedSoFar()) < scan.expected_count) return NONE;
  const startedAt = new Date(scan.started_at);
  await trx
    .insertInto('scope_heads')
    .values({ scope_key: scopeKey, latest_started_at: new Date(0) })
    .onConflict((oc) => oc.column('scope_key').doNothing())
    .execute();
  const head = await trx
    .selectFrom('scope_heads')
    .select('latest_started_at')
    .where('scope_key', '=', scopeKey)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const finish = async (status: 'resolved' | 'stale' | 'blocked'): Promise<void> => {
    await trx
      .updateTable('scans')
      .set({ status, updated_at: now })
      .where('scan_id', '=', scanId)
      .where('scope_key', '=', scopeKey)
      .execute();
    await trx
      .deleteFrom('scan_sightings')
      .where('scan_id', '=', scanId)
      .where('scope_key', '=', scopeKey)
      .execute();
  };
  if (new Date(head.latest_started_at) > startedAt) {
    // A newer scan of this scope was evaluated first: this one's absences prove nothing.
    await finish('stale');
    return { ...NONE, stale: true };
  }
  const open = await trx
    .selectFrom('finding_scopes as fs')
    .innerJoin('findings as f', 'f.fingerprint', 'fs.fingerprint')
    .select(['fs.fingerprint', 'fs.last_seen_at'])
    .where('fs.scope_key', '=', scopeKey)
    .where('f.state', '=', 'open')
    .execute();
  const absent = open
    .filter((row) => new Date(row.last_seen_at) < startedAt)
    .map((row) => row.fingerprint);
  const decision = decideResolution(open.length, absent, breaker);
  if (decision.kind === 'blocked') {
    await finish('blocked');
    const entries = await appendAudit(trx, AUDIT_CHAIN, [
      {
        actor: { type: 'service', id: 'risk-classifier' },
        action: 'classifier.mass-closure.blocked',
        entity: { type: 'scan-scope', id: scopeKey },
        outcome: 'denied',
        details: {
          scanId,
          wouldResolve: decision.wouldResolve,
          open: decision.open,
          share: Number(decision.share.toFixed(4)),
          maxShare: breaker.maxShare,
        },
        at: now,
      },
    ]);
    return {
      events: entries.map((entry) => ({
        topic: TOPICS.auditLog,
        key: entry.entity.id,
        data: entry,
      })),
      resolved: 0,
      blocked: true,
      stale: false,
    };
  }
  const events: OutgoingEvent[] = [];
  if (decision.fingerprints.length > 0) {
    const absentList = [...decision.fingerprints];
    await trx
      .deleteFrom('finding_scopes')
      .where('scope_key', '=', scopeKey)
      .where('fingerprint', 'in', absentList)
      .execute();
    const stillSeen = new Set(
      (
        await trx
          .selectFrom('finding_scopes')
          .select('fingerprint')
          .distinct()
          .where('fingerprint', 'in', absentList)
          .execute()
      ).map((row) => row.fingerprint),
    );
    const toResolve = absentList.filter((fp) => !stillSeen.has(fp));
    if (toResolve.length > 0) {
      const rows = await trx
        .updateTable('findings')
        .set({
          state: 'resolved',
          resolved_at: now,
          resolved_scan_started_at: startedAt,
          updated_at: now,
          revision: sql`revision + 1`,
        })
        .where('fingerprint', 'in', toResolve)
        .returning(['fingerprint', 'tier', 'revision', 'finding'])
        .execute();
      const [assetId, tool] = splitScope(scopeKey);
      for (const row of rows) {
        const finding = parseJsonText(row.finding);
        const resolved: FindingResolvedV1 = {
          fingerprint: row.fingerprint,
          asset: finding.asset,
          scope: {
            assetId,
            tool: finding.tool.name.toLowerCase() === tool ? finding.tool.name : tool,
          },
          lastTier: row.tier,
          title: finding.title,
          reason: 'absent-from-complete-scan',
          resolvedByScanId: scanId,
          resolvedAt: now.toISOString(),
          revision: row.revision,
        };
        events.push({
          topic: TOPICS.findingsResolved,
          key: row.fingerprint,
          data: resolved,
          subject: assetId,
        });
      }
    }
  }
  await finish('resolved');
  await trx
    .updateTable('scope_heads')
    .set({ latest_started_at: startedAt })
    .where('scope_key', '=', scopeKey)
    .execute();
  return { events, resolved: events.length, blocked: false, stale: false };
}

function splitScope(scopeKey: string): [string, string] {
  const at = scopeKey.lastIndexOf('|');
  return [scopeKey.slice(0, at), scopeKey.slice(at + 1)];
}
