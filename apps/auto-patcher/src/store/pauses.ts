import type { Selectable, Transaction } from 'kysely';
import { appendAudit, type AuditDraft } from '@hum/audit';
import type { RemediationTier } from '@hum/contracts';
import { SERVICE_NAME } from '../config';
import { auditOutput } from '../decisions/remediation-events';
import { outboxRow } from './outbox';
import type { PatcherDatabase, PatcherTables } from './schema';

export type TierPause = Selectable<PatcherTables['tier_pauses']>;

/**
 * Lifts the open breaker pause of a tier and audits who lifted it and why, in the caller's
 * transaction (the audit event leaves through the outbox). Undefined when the tier is not
 * paused, so two resumes racing lift it once.
 */
export async function liftPause(
  trx: Transaction<PatcherDatabase>,
  input: {
    readonly tier: RemediationTier;
    readonly resumedBy: string;
    readonly actor: AuditDraft['actor'];
    readonly details: Readonly<Record<string, unknown>>;
    readonly now: Date;
  },
): Promise<TierPause | undefined> {
  const pause = await trx
    .updateTable('tier_pauses')
    .set({ resumed_at: input.now, resumed_by: input.resumedBy.slice(0, 200) })
    .where('tier', '=', input.tier)
    .where('resumed_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (pause === undefined) return undefined;
  const [entry] = await appendAudit(trx, SERVICE_NAME, [
    {
      at: input.now,
      actor: input.actor,
      action: 'patcher.tier.resumed',
      entity: { type: 'policy', id: `tier:${input.tier}` },
      outcome: 'success',
      details: {
        tier: input.tier,
        ...input.details,
        pausedAt: new Date(pause.paused_at).toISOString(),
        pauseReason: pause.reason,
      },
    },
  ]);
  await trx
    .insertInto('outbox')
    .values(outboxRow(auditOutput(entry!), input.now))
    .execute();
  return pause;
}
