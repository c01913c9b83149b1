import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import { AccessGuard, RequireRoles } from '@hum/auth';
import { RISK_TIERS } from '@hum/contracts';
import type { AdminDatabase } from '../database/schema';
import { parseQuery } from '../http/parse-input';
import { Refused } from '../http/refusal';
import { readGroup } from '../read-model/group-view';
import { ADMIN_DB } from '../tokens';

const Limit = z.coerce.number().int().min(1).max(500).default(50);
const FindingsQuery = z
  .object({
    state: z.enum(['open', 'resolved']).optional(),
    tier: z.enum(RISK_TIERS).optional(),
    limit: Limit,
  })
  .strict();
const RecentQuery = z.object({ limit: Limit }).strict();
/** As tickets.events carries it (and as the ticket's detail link encodes it). */
const GroupKeyParam = z.object({ groupKey: z.string().min(1).max(500) }).strict();
const GroupQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(5_000).default(1_000) })
  .strict();

/** What the system is doing, from the read model policy-admin builds off the topics. */
@ApiTags('activity')
@ApiBearerAuth()
@ApiCookieAuth()
@Controller('v1/activity')
@UseGuards(AccessGuard)
export class ActivityController {
  constructor(@Inject(ADMIN_DB) private readonly db: Kysely<AdminDatabase>) {}

  @Get('summary')
  @RequireRoles('viewer')
  @ApiOperation({ summary: 'Open findings per tier, tickets and patches of the last 24 hours' })
  async summary() {
    const since = new Date(Date.now() - 24 * 3_600_000);
    const [open, tickets, patches] = await Promise.all([
      this.db
        .selectFrom('rm_findings')
        .select(['tier as key', (eb) => eb.fn.countAll<string>().as('n')])
        .where('state', '=', 'open')
        .groupBy('tier')
        .execute(),
      this.db
        .selectFrom('rm_ticket_events')
        .select(['action as key', (eb) => eb.fn.countAll<string>().as('n')])
        .where('at', '>=', since)
        .groupBy('action')
        .execute(),
      this.db
        .selectFrom('rm_remediations')
        .select(['status as key', (eb) => eb.fn.countAll<string>().as('n')])
        .where('decided_at', '>=', since)
        .groupBy('status')
        .execute(),
    ]);
    const counts = (rows: readonly { key: string; n: string }[]): Record<string, number> =>
      Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));
    return {
      openFindingsByTier: counts(open),
      ticketEventsLast24h: counts(tickets),
      patchesLast24h: counts(patches),
    };
  }

  @Get('findings')
  @RequireRoles('viewer')
  @ApiOperation({ summary: 'Recently classified or resolved findings' })
  @ApiQuery({ name: 'state', required: false, enum: ['open', 'resolved'] })
  @ApiQuery({ name: 'tier', required: false, enum: RISK_TIERS })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  async findings(@Query() query: unknown) {
    const q = parseQuery(FindingsQuery, query);
    let select = this.db
      .selectFrom('rm_findings')
      .selectAll()
      .orderBy('updated_at', 'desc')
      .limit(q.limit);
    if (q.state !== undefined) select = select.where('state', '=', q.state);
    if (q.tier !== undefined) select = select.where('tier', '=', q.tier);
    const rows = await select.execute();
    return {
      findings: rows.map((r) => ({
        fingerprint: r.fingerprint,
        title: r.title,
        assetId: r.asset_id,
        team: r.team,
        tier: r.tier,
        score: r.score,
        state: r.state,
        change: r.change,
        revision: r.revision,
        classifiedAt: new Date(r.classified_at).toISOString(),
        ...(r.resolved_at !== null ? { resolvedAt: new Date(r.resolved_at).toISOString() } : {}),
      })),
    };
  }

  @Get('tickets')
  @RequireRoles('viewer')
  @ApiOperation({ summary: 'Recent ticket events (created, updated, resolved, human decisions)' })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  async tickets(@Query() query: unknown) {
    const { limit } = parseQuery(RecentQuery, query);
    const rows = await this.db
      .selectFrom('rm_ticket_events')
      .selectAll()
      .orderBy('at', 'desc')
      .limit(limit)
      .execute();
    return {
      tickets: rows.map((r) => ({
        provider: r.provider,
        ticketKey: r.ticket_key,
        groupKey: r.group_key,
        action: r.action,
        url: r.url,
        fingerprints: r.fingerprints,
        detail: r.detail,
        at: new Date(r.at).toISOString(),
      })),
    };
  }

  @Get('patches')
  @RequireRoles('viewer')
  @ApiOperation({ summary: 'Recent patch decisions (planned, applied, failed, skipped) and why' })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  async patches(@Query() query: unknown) {
    const { limit } = parseQuery(RecentQuery, query);
    const rows = await this.db
      .selectFrom('rm_remediations')
      .selectAll()
      .orderBy('decided_at', 'desc')
      .orderBy(sql`event_id`)
      .limit(limit)
      .execute();
    return {
      patches: rows.map((r) => ({
        attemptKey: r.attempt_key,
        fingerprint: r.fingerprint,
        title: r.title,
        assetId: r.asset_id,
        team: r.team,
        tier: r.tier,
        status: r.status,
        reasons: r.reasons,
        strategy: r.strategy,
        url: r.url,
        decidedAt: new Date(r.decided_at).toISOString(),
      })),
    };
  }

  @Get('groups/:groupKey')
  @RequireRoles('viewer')
  @ApiOperation({
    summary: 'A ticket group: its ticket(s), recent ticket events, findings and acceptances',
    description:
      "The page a ticket's detail link points to. Findings are those tickets.events listed for the group and every classified finding whose group keys include it; open ones first.",
  })
  @ApiParam({ name: 'groupKey', description: 'the group key, URL-encoded' })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  async group(@Param() params: unknown, @Query() query: unknown) {
    const { groupKey } = parseQuery(GroupKeyParam, params);
    const { limit } = parseQuery(GroupQuery, query);
    const group = await readGroup(this.db, groupKey, limit);
    if (group === undefined)
      throw new Refused('not-found', `no ticket group ${groupKey} is known here`).toProblem();
    return group;
  }
}
