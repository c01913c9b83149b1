import { Injectable } from '@nestjs/common';
import type { ZodType } from 'zod';
import {
  type ClassifiedFindingV1,
  type RemediationTier,
  REMEDIATION_TIERS,
  ticketGroupKeys,
  TOPICS,
} from '@hum/contracts';
import { ConsumeEvents, type InboundEvent } from '@hum/kafka';
import { forEachChunk, jsonb } from '@hum/persistence';
import { kevListed } from '@hum/policy';
import { AcceptancesService, type ClassificationSeen } from '../acceptances/acceptances.service';
import { AUDIT_CHAIN, ChangeRunner } from '../audit/change-runner';
import { PolicyService } from '../policy/policy.service';

type Events<T extends { schema: ZodType }> = readonly InboundEvent<T['schema']>[];

/** The patcher's audit action when its failure-rate breaker pauses a tier. */
export const AUTO_PAUSE_ACTION = 'patcher.tier.auto-paused';

function pausedTier(entry: {
  entity: { id: string };
  details: Record<string, unknown>;
}): RemediationTier | undefined {
  const candidates = [entry.details['tier'], entry.entity.id.replace(/^tier:/, '')];
  return candidates.find(
    (c): c is RemediationTier =>
      typeof c === 'string' && (REMEDIATION_TIERS as readonly string[]).includes(c),
  );
}

/** What a classification tells the acceptances about a finding's risk and its groups. */
function seen(data: ClassifiedFindingV1): ClassificationSeen {
  const kev = kevListed(data.classification);
  return {
    tier: data.classification.tier,
    ...(kev !== undefined ? { kev } : {}),
    at: new Date(data.classification.classifiedAt),
    groupKeys: ticketGroupKeys(data.finding),
  };
}

/**
 * The console's read model, built from the other services' topics into policy-admin's own
 * tables. Every write is idempotent on a natural key (fingerprint + revision, event id, chain +
 * seq), so at-least-once delivery is enough; the effects that are decisions — an acceptance
 * lapsing when a finding's risk rises, a tier auto-paused by the patcher — are recorded only
 * when their row is new, in the same transaction, and audited.
 */
@Injectable()
export class ReadModelHandlers {
  constructor(
    private readonly changes: ChangeRunner,
    private readonly acceptances: AcceptancesService,
    private readonly policy: PolicyService,
  ) {}

  @ConsumeEvents(TOPICS.findingsClassified, { batch: true })
  async onClassified(events: Events<typeof TOPICS.findingsClassified>): Promise<void> {
    await this.changes.run(
      async (trx, effects) => {
        const now = new Date();
        // One row per fingerprint per batch: the latest revision wins.
        const latest = new Map<string, (typeof events)[number]['data']>();
        for (const { data } of events) {
          const held = latest.get(data.finding.fingerprint);
          if (!held || held.lifecycle.revision < data.lifecycle.revision)
            latest.set(data.finding.fingerprint, data);
        }
        const history = events.map(({ data }) => ({
          fingerprint: data.finding.fingerprint,
          revision: data.lifecycle.revision,
          at: new Date(data.classification.classifiedAt),
          tier: data.classification.tier,
          team: data.finding.asset.team ?? null,
          asset_id: data.finding.asset.id,
          event: jsonb(data),
        }));
        // The newest revision per fingerprint seen here for the first time.
        const byRevision = new Map(
          events.map(({ data }) => [
            `${data.finding.fingerprint}#${data.lifecycle.revision}`,
            data,
          ]),
        );
        const fresh = new Map<string, ClassificationSeen & { revision: number }>();
        await forEachChunk(history, 200, async (chunk) => {
          const inserted = await trx
            .insertInto('rm_classified')
            .values(chunk)
            .onConflict((oc) => oc.columns(['fingerprint', 'revision']).doNothing())
            .returning(['fingerprint', 'revision'])
            .execute();
          for (const row of inserted) {
            const held = fresh.get(row.fingerprint);
            if (held && held.revision > row.revision) continue;
            const data = byRevision.get(`${row.fingerprint}#${row.revision}`)!;
            fresh.set(row.fingerprint, { revision: row.revision, ...seen(data) });
          }
        });
        const rows = [...latest.values()].map((data) => ({
          fingerprint: data.finding.fingerprint,
          revision: data.lifecycle.revision,
          asset_id: data.finding.asset.id,
          team: data.finding.asset.team ?? null,
          tier: data.classification.tier,
          score: data.classification.score,
          kev: kevListed(data.classification) ?? null,
          state: 'open' as const,
          title: data.finding.title.slice(0, 1000),
          change: data.lifecycle.change,
          classified_at: new Date(data.classification.classifiedAt),
          resolved_at: null,
          updated_at: now,
        }));
        await forEachChunk(rows, 200, (chunk) =>
          trx
            .insertInto('rm_findings')
            .values(chunk)
            .onConflict((oc) =>
              oc
                .column('fingerprint')
                .doUpdateSet((eb) => ({
                  revision: eb.ref('excluded.revision'),
                  asset_id: eb.ref('excluded.asset_id'),
                  team: eb.ref('excluded.team'),
                  tier: eb.ref('excluded.tier'),
                  score: eb.ref('excluded.score'),
                  kev: eb.ref('excluded.kev'),
                  state: eb.ref('excluded.state'),
                  title: eb.ref('excluded.title'),
                  change: eb.ref('excluded.change'),
                  classified_at: eb.ref('excluded.classified_at'),
                  resolved_at: null,
                  updated_at: eb.ref('excluded.updated_at'),
                }))
                .where('rm_findings.revision', '<', (eb) => eb.ref('excluded.revision')),
            )
            .execute(),
        );
        const groups = [...latest.values()].flatMap((data) =>
          ticketGroupKeys(data.finding).map((group_key) => ({
            group_key,
            fingerprint: data.finding.fingerprint,
          })),
        );
        await forEachChunk(groups, 500, (chunk) =>
          trx
            .insertInto('rm_finding_groups')
            .values(chunk)
            .onConflict((oc) => oc.columns(['group_key', 'fingerprint']).doNothing())
            .execute(),
        );
        // Only first sightings of a revision decide anything: a redelivery changes nothing.
        await this.acceptances.lapseOnClassification(trx, effects, fresh);
      },
      { awaitPublication: false },
    );
  }

  @ConsumeEvents(TOPICS.findingsResolved, { batch: true })
  async onResolved(events: Events<typeof TOPICS.findingsResolved>): Promise<void> {
    await this.changes.run(
      async (trx) => {
        for (const { data } of events) {
          await trx
            .updateTable('rm_findings')
            .set({
              state: 'resolved',
              revision: data.revision,
              resolved_at: new Date(data.resolvedAt),
              updated_at: new Date(),
            })
            .where('fingerprint', '=', data.fingerprint)
            .where('revision', '<', data.revision)
            .execute();
        }
      },
      { awaitPublication: false },
    );
  }

  @ConsumeEvents(TOPICS.ticketsEvents, { batch: true })
  async onTicket(events: Events<typeof TOPICS.ticketsEvents>): Promise<void> {
    await this.changes.run(
      async (trx) => {
        await trx
          .insertInto('rm_ticket_events')
          .values(
            events.map(({ data, metadata }) => ({
              event_id: metadata.id,
              provider: data.provider,
              group_key: data.groupKey,
              ticket_key: data.ticketKey,
              action: data.action,
              url: data.url ?? null,
              fingerprints: data.fingerprints.length,
              detail: data.detail ?? null,
              at: new Date(data.at),
            })),
          )
          .onConflict((oc) => oc.column('event_id').doNothing())
          .execute();
        const members = events.flatMap(({ data }) =>
          data.fingerprints.map((fingerprint) => ({ group_key: data.groupKey, fingerprint })),
        );
        await forEachChunk(members, 500, (chunk) =>
          trx
            .insertInto('rm_ticket_members')
            .values(chunk)
            .onConflict((oc) => oc.columns(['group_key', 'fingerprint']).doNothing())
            .execute(),
        );
      },
      { awaitPublication: false },
    );
  }

  @ConsumeEvents(TOPICS.remediationEvents, { batch: true })
  async onRemediation(events: Events<typeof TOPICS.remediationEvents>): Promise<void> {
    await this.changes.run(
      async (trx) => {
        await trx
          .insertInto('rm_remediations')
          .values(
            events.map(({ data, metadata }) => ({
              event_id: metadata.id,
              attempt_key: data.attemptKey,
              fingerprint: data.fingerprint,
              asset_id: data.asset.id,
              team: data.team ?? data.asset.team ?? null,
              tier: data.tier,
              title: data.title.slice(0, 1000),
              status: data.status,
              reasons: jsonb(data.reasons),
              strategy: data.strategy ?? null,
              url: data.url ?? null,
              decided_at: new Date(data.decidedAt),
            })),
          )
          .onConflict((oc) => oc.column('event_id').doNothing())
          .execute();
      },
      { awaitPublication: false },
    );
  }

  @ConsumeEvents(TOPICS.auditLog, { batch: true })
  async onAudit(events: Events<typeof TOPICS.auditLog>): Promise<void> {
    const foreign = events.filter(({ data }) => data.chain !== AUDIT_CHAIN);
    if (foreign.length === 0) return;
    await this.changes.run(
      async (trx, effects) => {
        const inserted = await trx
          .insertInto('rm_audit')
          .values(
            foreign.map(({ data }) => ({
              chain: data.chain,
              seq: data.seq,
              id: data.id,
              at: new Date(data.at),
              actor_type: data.actor.type,
              actor_id: data.actor.id,
              action: data.action,
              entity_type: data.entity.type,
              entity_id: data.entity.id,
              outcome: data.outcome,
              entry: jsonb(data),
            })),
          )
          .onConflict((oc) => oc.columns(['chain', 'seq']).doNothing())
          .returning(['chain', 'seq'])
          .execute();
        const isNew = new Set(inserted.map((r) => `${r.chain}#${r.seq}`));
        for (const { data } of foreign) {
          // A batch may hold the same entry twice (a redelivery): act on its first copy only.
          if (!isNew.delete(`${data.chain}#${data.seq}`)) continue;
          if (data.action !== AUTO_PAUSE_ACTION || data.outcome !== 'success') continue;
          const tier = pausedTier(data);
          if (tier !== undefined) await this.policy.recordAutoPause(trx, effects, tier, data);
        }
      },
      { awaitPublication: false },
    );
  }
}
