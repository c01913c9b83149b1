import { type Kysely, sql } from 'kysely';
import type { AdminDatabase } from '../database/schema';

export interface GroupTicket {
  provider: string;
  ticketKey: string;
  url: string | null;
  lastAction: string;
  firstAt: string;
  lastAt: string;
  events: number;
}

export interface GroupFinding {
  fingerprint: string;
  title: string;
  assetId: string;
  team: string | null;
  tier: string;
  score: number;
  kev: boolean | null;
  state: string;
  /** Listed in a tickets.events message of the group (else a member by its group key only). */
  inTicket: boolean;
  classifiedAt: string;
  resolvedAt?: string;
}

export interface GroupView {
  groupKey: string;
  tickets: GroupTicket[];
  /** The group's latest ticket events, newest first. */
  events: {
    provider: string;
    ticketKey: string;
    action: string;
    detail: string | null;
    fingerprints: number;
    at: string;
  }[];
  /** Open findings first, highest tier first; at most the limit asked for. */
  findings: GroupFinding[];
  /** How many findings the group has in all (more than `findings` holds past the limit). */
  findingCount: number;
  /** Active risk acceptances of the group or of one of its findings. */
  acceptances: {
    id: string;
    target: unknown;
    owner: string;
    reason: string;
    acceptedTier: string;
    expiresAt: string;
  }[];
}

const EVENTS_SHOWN = 50;

/**
 * A ticket group as the read model knows it — the page a ticket's "full list" link points
 * to. Members are the findings tickets.events listed for the group, and every classified
 * finding whose own group keys (`ticketGroupKeys`, what the dispatcher groups by) include it:
 * a ticket event lists at most 1,000 findings, and only the open ones. Undefined when the
 * group is not known here at all.
 */
export async function readGroup(
  db: Kysely<AdminDatabase>,
  groupKey: string,
  limit: number,
): Promise<GroupView | undefined> {
  const members = db
    .selectFrom('rm_ticket_members')
    .select('fingerprint')
    .where('group_key', '=', groupKey)
    .union(
      db.selectFrom('rm_finding_groups').select('fingerprint').where('group_key', '=', groupKey),
    );
  const [tickets, events, findings, counted, acceptances] = await Promise.all([
    db
      .selectFrom('rm_ticket_events')
      .select([
        'provider',
        'ticket_key',
        sql<Date>`min(at)`.as('first_at'),
        sql<Date>`max(at)`.as('last_at'),
        sql<string>`count(*)`.as('events'),
        sql<string>`(array_agg(action order by at desc))[1]`.as('last_action'),
        sql<string | null>`(array_agg(url order by at desc) filter (where url is not null))[1]`.as(
          'url',
        ),
      ])
      .where('group_key', '=', groupKey)
      .groupBy(['provider', 'ticket_key'])
      .orderBy(sql`max(at)`, 'desc')
      .execute(),
    db
      .selectFrom('rm_ticket_events')
      .selectAll()
      .where('group_key', '=', groupKey)
      .orderBy('at', 'desc')
      .orderBy('event_id')
      .limit(EVENTS_SHOWN)
      .execute(),
    db
      .selectFrom('rm_findings as f')
      .selectAll('f')
      .select((eb) =>
        eb
          .exists(
            eb
              .selectFrom('rm_ticket_members as m')
              .select('m.fingerprint')
              .where('m.group_key', '=', groupKey)
              .whereRef('m.fingerprint', '=', 'f.fingerprint'),
          )
          .as('in_ticket'),
      )
      .where('f.fingerprint', 'in', members)
      .orderBy(sql`case when f.state = 'open' then 0 else 1 end`)
      .orderBy(
        sql`case f.tier when 'critical' then 0 when 'high' then 1 when 'medium' then 2 when 'low' then 3 else 4 end`,
      )
      .orderBy('f.fingerprint')
      .limit(limit)
      .execute(),
    db
      .selectFrom('rm_findings')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('fingerprint', 'in', members)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('risk_acceptances')
      .selectAll()
      .where('state', '=', 'active')
      .where((eb) => eb.or([eb('group_key', '=', groupKey), eb('fingerprint', 'in', members)]))
      .orderBy('id')
      .execute(),
  ]);
  const findingCount = Number(counted.n);
  if (tickets.length === 0 && findingCount === 0) return undefined;
  const iso = (at: Date | string): string => new Date(at).toISOString();
  return {
    groupKey,
    tickets: tickets.map((t) => ({
      provider: t.provider,
      ticketKey: t.ticket_key,
      url: t.url,
      lastAction: t.last_action,
      firstAt: iso(t.first_at),
      lastAt: iso(t.last_at),
      events: Number(t.events),
    })),
    events: events.map((e) => ({
      provider: e.provider,
      ticketKey: e.ticket_key,
      action: e.action,
      detail: e.detail,
      fingerprints: e.fingerprints,
      at: iso(e.at),
    })),
    findings: findings.map((f) => ({
      fingerprint: f.fingerprint,
      title: f.title,
      assetId: f.asset_id,
      team: f.team,
      tier: f.tier,
      score: f.score,
      kev: f.kev,
      state: f.state,
      inTicket: Boolean(f.in_ticket),
      classifiedAt: iso(f.classified_at),
      ...(f.resolved_at !== null ? { resolvedAt: iso(f.resolved_at) } : {}),
    })),
    findingCount,
    acceptances: acceptances.map((a) => ({
      id: a.id,
      target: a.target,
      owner: a.owner,
      reason: a.reason,
      acceptedTier: a.accepted_tier,
      expiresAt: iso(a.expires_at),
    })),
  };
}
