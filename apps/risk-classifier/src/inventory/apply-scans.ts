import { sql } from 'kysely';

import { scanScopeKey, type TOPICS } from '@hum/contracts';
import type { InboundEvent, OutgoingEvent } from '@hum/kafka';
import { jsonb } from '@hum/persistence';
import type { BreakerPolicy } from '@hum/risk';
import { byScanKey } from './scan-key-order';
import {
  evaluateScanIfComplete,
  type EvaluationOutcome,
  scansThatMayBeComplete,
} from './scan-evaluation';
import type { ClassifierTransaction } from './schema';

type Trx = ClassifierTransaction;
type ScanEvent = InboundEvent<typeof TOPICS.scansCompleted.schema>;

/**
 * Records that a scan ended and how many distinct findings it announced for its scope; if the
 * classifier already holds them all, the scan is evaluated now, else when the last one arrives.
 */
export async function applyScansCompleted(
  trx: Trx,
  events: readonly ScanEvent[],
  breaker: BreakerPolicy,
  now: Date,
): Promise<{ outputs: Map<string, OutgoingEvent[]>; evaluations: EvaluationOutcome[] }> {
  const outputs = new Map<string, OutgoingEvent[]>();
  const evaluations: EvaluationOutcome[] = [];
  const scans = events.map((event) => ({
    event,
    scanId: event.data.scanId,
    scopeKey: scanScopeKey(event.data.scope),
  }));
  // Every scan row of the batch first, in the order the findings handlers take them too.
  const inKeyOrder = [...scans].sort(byScanKey);
  for (const { event, scopeKey } of inKeyOrder) {
    const scan = event.data;
    await trx
      .insertInto('scans')
      .values({
        scan_id: scan.scanId,
        scope_key: scopeKey,
        asset_id: scan.scope.assetId,
        tool: scan.tool.name,
        expected_count: scan.findingCount,
        started_at: new Date(scan.startedAt ?? scan.completedAt),
        status: 'collecting',
        completed_event: jsonb(scan),
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['scan_id', 'scope_key']).doUpdateSet({
          expected_count: scan.findingCount,
          completed_event: jsonb(scan),
          started_at: sql`coalesce(scans.started_at, excluded.started_at)`,
          updated_at: now,
        }),
      )
      .execute();
  }
  for (const { event, scopeKey } of await scansThatMayBeComplete(trx, scans)) {
    const outcome = await evaluateScanIfComplete(trx, event.data.scanId, scopeKey, breaker, now);
    evaluations.push(outcome);
    if (outcome.events.length > 0) outputs.set(event.offset, outcome.events);
  }
  return { outputs, evaluations };
}
