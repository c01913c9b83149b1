import type { Kysely } from 'kysely';
import type { PolicyStateV1 } from '@hum/contracts';
import { defaultPolicySnapshot, type PolicyRecordKey, type PolicySnapshot } from '@hum/policy';
import { jsonb } from '@hum/persistence';
import type { AdminTransaction } from '../audit/change-runner';
import type { AdminDatabase } from '../database/schema';

/**
 * The policy in force as policy-admin decided it: the defaults (every tier off) overlaid with
 * every record decided so far. Always `loaded`: this is the source, not a follower.
 */
export async function readPolicy(
  db: Kysely<AdminDatabase> | AdminTransaction,
): Promise<PolicySnapshot> {
  const rows = await db.selectFrom('policy_records').select(['key', 'record']).execute();
  const base = defaultPolicySnapshot();
  let tiers = { ...base.tiers };
  let global = base.global;
  for (const row of rows) {
    const record = row.record;
    if (record === null) continue;
    if (record.kind === 'tier') tiers = { ...tiers, [record.tier]: record };
    else global = record;
  }
  return { tiers, global, loaded: true };
}

/** Locks one key's row until the transaction ends: decisions on one key are serialised. */
export async function lockPolicyKey(trx: AdminTransaction, key: PolicyRecordKey): Promise<void> {
  await trx.selectFrom('policy_records').select('key').where('key', '=', key).forUpdate().execute();
}

export function heldVersion(snapshot: PolicySnapshot, key: PolicyRecordKey): number {
  return key === 'global'
    ? snapshot.global.version
    : snapshot.tiers[key.slice(5) as keyof PolicySnapshot['tiers']].version;
}

export async function storePolicyRecord(
  trx: AdminTransaction,
  key: PolicyRecordKey,
  record: PolicyStateV1,
): Promise<void> {
  await trx
    .updateTable('policy_records')
    .set({ record: jsonb(record), version: record.version, updated_at: new Date(record.updatedAt) })
    .where('key', '=', key)
    .execute();
}
