import type { Kysely } from 'kysely';
import { verifyStoredAuditChain } from '@hum/audit';
import { type AuditChainCheck, type AuditEntryV1, verifyAuditChain } from '@hum/contracts';
import type { AdminDatabase } from '../database/schema';
import { AUDIT_CHAIN } from './change-runner';

export interface AuditFilter {
  chain?: string;
  /** A dotted prefix: `policy.proposal` matches `policy.proposal.approved`. */
  action?: string;
  actor?: string;
  entity?: string;
  outcome?: AuditEntryV1['outcome'];
  from?: Date;
  to?: Date;
  limit: number;
}

function matches(filter: AuditFilter, entry: AuditEntryV1): boolean {
  return (
    (filter.chain === undefined || entry.chain === filter.chain) &&
    (filter.action === undefined ||
      entry.action === filter.action ||
      entry.action.startsWith(`${filter.action}.`)) &&
    (filter.actor === undefined || entry.actor.id === filter.actor) &&
    (filter.entity === undefined ||
      entry.entity.id === filter.entity ||
      entry.entity.type === filter.entity) &&
    (filter.outcome === undefined || entry.outcome === filter.outcome)
  );
}

/**
 * Audit entries, newest first: policy-admin's own chain from its audit tables (the source of
 * truth), every other service's from what arrived on audit.log.
 */
export async function listAudit(
  db: Kysely<AdminDatabase>,
  filter: AuditFilter,
): Promise<AuditEntryV1[]> {
  const own = async (): Promise<AuditEntryV1[]> => {
    if (filter.chain !== undefined && filter.chain !== AUDIT_CHAIN) return [];
    let query = db
      .selectFrom('audit_entries')
      .selectAll()
      .orderBy('seq', 'desc')
      .limit(filter.limit);
    if (filter.action !== undefined)
      query = query.where((eb) =>
        eb.or([eb('action', '=', filter.action!), eb('action', 'like', `${filter.action!}.%`)]),
      );
    if (filter.outcome !== undefined) query = query.where('outcome', '=', filter.outcome);
    if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('at', '<', filter.to);
    if (filter.actor !== undefined)
      query = query.where((eb) => eb(eb.ref('actor', '->>').key('id'), '=', filter.actor!));
    if (filter.entity !== undefined)
      query = query.where((eb) =>
        eb.or([
          eb(eb.ref('entity', '->>').key('id'), '=', filter.entity!),
          eb(eb.ref('entity', '->>').key('type'), '=', filter.entity!),
        ]),
      );
    const rows = await query.execute();
    return rows.map((row) => ({
      chain: row.chain,
      seq: row.seq,
      id: row.id,
      at: new Date(row.at).toISOString(),
      actor: row.actor,
      action: row.action,
      entity: row.entity,
      outcome: row.outcome,
      details: row.details,
      prevHash: row.prev_hash,
      hash: row.hash,
    }));
  };
  const others = async (): Promise<AuditEntryV1[]> => {
    if (filter.chain === AUDIT_CHAIN) return [];
    let query = db
      .selectFrom('rm_audit')
      .select('entry')
      .where('chain', '!=', AUDIT_CHAIN)
      .orderBy('at', 'desc')
      .limit(filter.limit);
    if (filter.chain !== undefined) query = query.where('chain', '=', filter.chain);
    if (filter.action !== undefined)
      query = query.where((eb) =>
        eb.or([eb('action', '=', filter.action!), eb('action', 'like', `${filter.action!}.%`)]),
      );
    if (filter.outcome !== undefined) query = query.where('outcome', '=', filter.outcome);
    if (filter.actor !== undefined) query = query.where('actor_id', '=', filter.actor);
    if (filter.entity !== undefined)
      query = query.where((eb) =>
        eb.or([eb('entity_id', '=', filter.entity!), eb('entity_type', '=', filter.entity!)]),
      );
    if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('at', '<', filter.to);
    return (await query.execute()).map((row) => row.entry);
  };
  const [a, b] = await Promise.all([own(), others()]);
  return [...a, ...b]
    .filter((entry) => matches(filter, entry))
    .sort((x, y) => (x.at < y.at ? 1 : x.at > y.at ? -1 : y.seq - x.seq))
    .slice(0, filter.limit);
}

export interface ChainVerification {
  chain: string;
  /** `database`: policy-admin's own tables; `audit.log`: entries as another service published them. */
  source: 'database' | 'audit.log';
  ok: boolean;
  checked: number;
  brokenAt?: number;
  reason?: string;
  /** The first entry that does not hold, as stored: who, what, when. */
  firstBroken?: Pick<AuditEntryV1, 'seq' | 'id' | 'at' | 'action' | 'actor' | 'entity'>;
}

/** Checks every link and hash of one chain and names the first entry that does not hold. */
export async function verifyChain(
  db: Kysely<AdminDatabase>,
  chain: string,
): Promise<ChainVerification> {
  let check: AuditChainCheck;
  let source: ChainVerification['source'];
  let brokenEntry: (() => Promise<AuditEntryV1 | undefined>) | undefined;
  if (chain === AUDIT_CHAIN) {
    source = 'database';
    check = await verifyStoredAuditChain(db, chain);
    const brokenAt = check.ok ? undefined : check.brokenAt;
    brokenEntry = async () => {
      if (brokenAt === undefined) return undefined;
      const row = await db
        .selectFrom('audit_entries')
        .selectAll()
        .where('chain', '=', chain)
        .where('seq', '=', brokenAt)
        .executeTakeFirst();
      return row
        ? { ...row, at: new Date(row.at).toISOString(), prevHash: row.prev_hash }
        : undefined;
    };
  } else {
    source = 'audit.log';
    const rows = await db
      .selectFrom('rm_audit')
      .select('entry')
      .where('chain', '=', chain)
      .orderBy('seq')
      .execute();
    const entries = rows.map((row) => row.entry);
    check = verifyAuditChain(entries);
    const brokenAt = check.ok ? undefined : check.brokenAt;
    brokenEntry = async () => entries.find((e) => e.seq === brokenAt);
  }
  const broken = await brokenEntry();
  return {
    chain,
    source,
    ok: check.ok,
    checked: check.checked,
    ...(check.ok ? {} : { brokenAt: check.brokenAt, reason: check.reason }),
    ...(broken
      ? {
          firstBroken: {
            seq: broken.seq,
            id: broken.id,
            at: broken.at,
            action: broken.action,
            actor: broken.actor,
            entity: broken.entity,
          },
        }
      : {}),
  };
}
