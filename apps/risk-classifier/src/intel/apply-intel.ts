import { sql } from 'kysely';
import { type ClassifiedFindingV1, type IntelUpdatedV1, TOPICS } from '@hum/contracts';
import type { InboundEvent, OutgoingEvent } from '@hum/kafka';
import { jsonText, parseJsonText } from '@hum/persistence';
import {
  decideReclassification,
  diffIntel,
  intelDiffOptions,
  reclassificationTargets,
} from '@hum/risk';
import type { ClassifierTransaction } from '../inventory/schema';
import type { RiskContext } from '../risk-context';

type IntelEvent = InboundEvent<typeof TOPICS.intelUpdates.schema>;

const CHUNK = 500;

/**
 * Activates new threat-intel snapshots and re-classifies the open findings they affect (CVEs
 * that entered or left KEV, EPSS moves across the policy's bands): each tier or KEV change is
 * one `intel-changed` classified event, so tickets and SLAs follow. An older snapshot than the
 * active one is recorded but not activated.
 */
export async function applyIntelUpdates(
  trx: ClassifierTransaction,
  events: readonly IntelEvent[],
  risk: RiskContext,
  now: Date,
): Promise<{ outputs: Map<string, OutgoingEvent[]>; reclassified: number }> {
  const outputs = new Map<string, OutgoingEvent[]>();
  let reclassified = 0;
  for (const event of events) {
    const update: IntelUpdatedV1 = event.data;
    const stored = await trx
      .selectFrom('intel_snapshots')
      .select('id')
      .where('id', '=', update.snapshotId)
      .executeTakeFirst();
    if (!stored) continue; // Uploaded to another classifier's database: nothing to activate here.
    const active = await trx
      .selectFrom('intel_active')
      .select(['snapshot_id', 'as_of'])
      .where('kind', '=', update.kind)
      .forUpdate()
      .executeTakeFirst();
    if (active && (active.snapshot_id === update.snapshotId || active.as_of > update.asOf))
      continue;
    const before = await risk.activeIntel(trx);
    await trx
      .insertInto('intel_active')
      .values({
        kind: update.kind,
        snapshot_id: update.snapshotId,
        as_of: update.asOf,
        activated_at: now,
      })
      .onConflict((oc) =>
        oc
          .column('kind')
          .doUpdateSet({ snapshot_id: update.snapshotId, as_of: update.asOf, activated_at: now }),
      )
      .execute();
    const after = await risk.activeIntel(trx);
    const targets = reclassificationTargets(
      diffIntel(before.intel, after.intel, intelDiffOptions(risk.policy)),
      risk.policy,
    );
    const list: OutgoingEvent[] = [];
    for (let i = 0; i < targets.length; i += CHUNK) {
      const cves = targets.slice(i, i + CHUNK);
      const rows = await trx
        .selectFrom('findings')
        .select([
          'fingerprint',
          'tier',
          'kev',
          'revision',
          'state',
          'first_seen_at',
          'last_seen_at',
          'finding',
        ])
        .where('state', '=', 'open')
        .where(sql<boolean>`vulnerability_ids && ${sql.val(cves)}::text[]`)
        .forUpdate()
        .execute();
      for (const row of rows) {
        const finding = parseJsonText(row.finding);
        const { classification, kev } = risk.classifyWith(after.intel, finding, now);
        const decision = decideReclassification(
          { state: row.state, tier: row.tier, kev: row.kev, revision: row.revision },
          { tier: classification.tier, kev },
        );
        const stamped = { ...classification, classifiedAt: now.toISOString() };
        if (decision.kind === 'touch') {
          await trx
            .updateTable('findings')
            .set({
              score: classification.score,
              classification: jsonText(stamped),
              updated_at: now,
            })
            .where('fingerprint', '=', row.fingerprint)
            .execute();
          continue;
        }
        if (decision.kind !== 'update') continue;
        await trx
          .updateTable('findings')
          .set({
            tier: classification.tier,
            score: classification.score,
            kev,
            revision: decision.emit.revision,
            classification: jsonText(stamped),
            updated_at: now,
          })
          .where('fingerprint', '=', row.fingerprint)
          .execute();
        const emitted: ClassifiedFindingV1 = {
          finding,
          classification: stamped,
          lifecycle: {
            state: decision.emit.state,
            change: decision.emit.change,
            ...(decision.emit.previousTier ? { previousTier: decision.emit.previousTier } : {}),
            firstSeenAt: new Date(row.first_seen_at).toISOString(),
            lastSeenAt: new Date(row.last_seen_at).toISOString(),
            revision: decision.emit.revision,
          },
        };
        list.push({
          topic: TOPICS.findingsClassified,
          key: row.fingerprint,
          data: emitted,
          subject: finding.asset.id,
        });
        reclassified += 1;
      }
    }
    risk.install(after.ids, after.intel);
    if (list.length > 0) outputs.set(event.offset, list);
  }
  return { outputs, reclassified };
}
