import type { Insertable, Kysely, Selectable } from 'kysely';
import { forEachChunk, jsonb } from '@hum/persistence';
import type { MemberSummary } from '@hum/ticketing';
import type { DispatcherDatabase, TicketLedgerTables } from './schema';

type GroupRow = Selectable<TicketLedgerTables['ticket_groups']>;
type MemberRow = Selectable<TicketLedgerTables['ticket_members']>;

/** A group as the dispatcher works on it in memory (jsonb columns as plain values). */
export type GroupRecord = {
  -readonly [K in keyof GroupRow]: GroupRow[K];
};

export interface MemberRecord {
  fingerprint: string;
  groupKey: string;
  state: 'open' | 'resolved';
  tier: MemberRow['tier'];
  revision: number;
  summary: MemberSummary | null;
}

const CHUNK = 500;

function memberOf(row: MemberRow): MemberRecord {
  return {
    fingerprint: row.fingerprint,
    groupKey: row.group_key,
    state: row.state,
    tier: row.tier,
    revision: row.revision,
    summary: row.summary,
  };
}

export async function loadMembersByFingerprint(
  db: Kysely<DispatcherDatabase>,
  fingerprints: readonly string[],
): Promise<Map<string, MemberRecord>> {
  const found = new Map<string, MemberRecord>();
  await forEachChunk(fingerprints, CHUNK, async (chunk) => {
    const rows = await db
      .selectFrom('ticket_members')
      .selectAll()
      .where('fingerprint', 'in', chunk)
      .execute();
    for (const row of rows) found.set(row.fingerprint, memberOf(row));
  });
  return found;
}

export async function loadMembersOfGroups(
  db: Kysely<DispatcherDatabase>,
  groupKeys: readonly string[],
): Promise<Map<string, MemberRecord[]>> {
  const byGroup = new Map<string, MemberRecord[]>();
  await forEachChunk(groupKeys, CHUNK, async (chunk) => {
    const rows = await db
      .selectFrom('ticket_members')
      .selectAll()
      .where('group_key', 'in', chunk)
      .orderBy('fingerprint')
      .execute();
    for (const row of rows) {
      let list = byGroup.get(row.group_key);
      if (!list) byGroup.set(row.group_key, (list = []));
      list.push(memberOf(row));
    }
  });
  return byGroup;
}

export async function loadGroups(
  db: Kysely<DispatcherDatabase>,
  groupKeys: readonly string[],
): Promise<Map<string, GroupRecord>> {
  const groups = new Map<string, GroupRecord>();
  await forEachChunk(groupKeys, CHUNK, async (chunk) => {
    const rows = await db
      .selectFrom('ticket_groups')
      .selectAll()
      .where('group_key', 'in', chunk)
      .execute();
    for (const row of rows) groups.set(row.group_key, { ...row });
  });
  return groups;
}

function groupInsertable(group: GroupRecord): Insertable<TicketLedgerTables['ticket_groups']> {
  return {
    ...group,
    target: jsonb(group.target),
    asset: jsonb(group.asset),
    remediation: group.remediation === null ? null : jsonb(group.remediation),
    acceptances: jsonb(group.acceptances),
  };
}

export async function saveGroups(
  db: Kysely<DispatcherDatabase>,
  groups: readonly GroupRecord[],
): Promise<void> {
  await forEachChunk(groups, CHUNK, async (chunk) => {
    await db
      .insertInto('ticket_groups')
      .values(chunk.map(groupInsertable))
      .onConflict((oc) =>
        oc.column('group_key').doUpdateSet((eb) => ({
          route: eb.ref('excluded.route'),
          provider: eb.ref('excluded.provider'),
          generation: eb.ref('excluded.generation'),
          idempotency_key: eb.ref('excluded.idempotency_key'),
          target: eb.ref('excluded.target'),
          ticket_id: eb.ref('excluded.ticket_id'),
          ticket_key: eb.ref('excluded.ticket_key'),
          ticket_url: eb.ref('excluded.ticket_url'),
          status: eb.ref('excluded.status'),
          decision: eb.ref('excluded.decision'),
          tier: eb.ref('excluded.tier'),
          tier_since: eb.ref('excluded.tier_since'),
          due_date: eb.ref('excluded.due_date'),
          asset: eb.ref('excluded.asset'),
          remediation: eb.ref('excluded.remediation'),
          synced_hash: eb.ref('excluded.synced_hash'),
          acceptances: eb.ref('excluded.acceptances'),
          acceptance_seq: eb.ref('excluded.acceptance_seq'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  });
}

export async function saveMembers(
  db: Kysely<DispatcherDatabase>,
  members: readonly MemberRecord[],
  now: Date,
): Promise<void> {
  await forEachChunk(members, CHUNK, async (chunk) => {
    await db
      .insertInto('ticket_members')
      .values(
        chunk.map((member) => ({
          fingerprint: member.fingerprint,
          group_key: member.groupKey,
          state: member.state,
          tier: member.tier,
          revision: member.revision,
          summary: member.summary === null ? null : jsonb(member.summary),
          updated_at: now,
        })),
      )
      .onConflict((oc) =>
        oc.column('fingerprint').doUpdateSet((eb) => ({
          group_key: eb.ref('excluded.group_key'),
          state: eb.ref('excluded.state'),
          tier: eb.ref('excluded.tier'),
          revision: eb.ref('excluded.revision'),
          summary: eb.ref('excluded.summary'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  });
}
