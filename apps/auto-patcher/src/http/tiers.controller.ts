import type { IncomingMessage } from 'node:http';
import { Controller, Get, HttpCode, Inject, Param, Post, Req, UseGuards } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Clock } from '@hum/common';
import { REMEDIATION_TIERS, RemediationTier, TeamName } from '@hum/contracts';
import { effectiveTier } from '@hum/policy';
import { ProblemException } from '@hum/runtime';
import { BacklogSweeper } from '../backlog/backlog-sweeper';
import { OutboxRelay } from '../execution/outbox-relay';
import { PatcherMetrics } from '../patcher-metrics';
import { PolicyState } from '../policy/policy-state';
import { liftPause } from '../store/pauses';
import type { PatcherDatabase } from '../store/schema';
import { PATCHER_CLOCK, PATCHER_DB } from '../tokens';
import { OperatorTokenGuard } from './operator-token.guard';
import { parseJsonBody, readRawBody } from './raw-body';

const ResumeRequest = z
  .object({
    /** Who resumes: recorded in the audit entry. */
    operator: TeamName,
    reason: z.string().min(3).max(500),
  })
  .strict();

/**
 * The tiers as the patcher applies them: the policy it follows and its own failure-rate
 * pauses, which only an operator lifts (the patcher never writes policy.state).
 */
@Controller('v1/tiers')
@UseGuards(OperatorTokenGuard)
export class TiersController {
  constructor(
    @Inject(PATCHER_DB) private readonly db: Kysely<PatcherDatabase>,
    @Inject(PATCHER_CLOCK) private readonly clock: Clock,
    private readonly policy: PolicyState,
    private readonly relay: OutboxRelay,
    private readonly metrics: PatcherMetrics,
    private readonly backlog: BacklogSweeper,
  ) {}

  @Get()
  async list(): Promise<unknown> {
    const snapshot = this.policy.snapshot();
    const pauses = await this.db
      .selectFrom('tier_pauses')
      .selectAll()
      .where('resumed_at', 'is', null)
      .execute();
    const sweeps = await this.db
      .selectFrom('tier_backlogs')
      .select(['tier', 'sweep_started_at', 'sweep_policy_version'])
      .execute();
    return {
      policyLoaded: snapshot.loaded,
      killSwitch: snapshot.global.killSwitch,
      tiers: REMEDIATION_TIERS.map((tier) => {
        const policy = effectiveTier(snapshot, tier);
        const pause = pauses.find((p) => p.tier === tier);
        const sweep = sweeps.find((b) => b.tier === tier && b.sweep_started_at !== null);
        return {
          tier,
          mode: policy.mode,
          pausedInPolicy: policy.paused,
          policyVersion: policy.version,
          budgets: policy.budgets,
          autoPaused:
            pause === undefined
              ? null
              : {
                  since: new Date(pause.paused_at).toISOString(),
                  reason: pause.reason,
                  // Recorded in policy.state by policy-admin: an admin's resume there lifts it.
                  handedOver: pause.handed_over_version !== null,
                },
          // Findings classified while the tier was closed, being decided since the tier opened.
          backlogSweep:
            sweep === undefined
              ? null
              : {
                  since: new Date(sweep.sweep_started_at!).toISOString(),
                  policyVersion: sweep.sweep_policy_version,
                },
        };
      }),
    };
  }

  @Post(':tier/resume')
  @HttpCode(200)
  async resume(@Param('tier') raw: string, @Req() request: IncomingMessage): Promise<unknown> {
    const tier = RemediationTier.safeParse(raw);
    if (!tier.success)
      throw new ProblemException({
        status: 404,
        code: 'unknown-tier',
        title: 'Not found',
        detail: `no tier "${raw}"; tiers are ${REMEDIATION_TIERS.join(', ')}`,
      });
    const body = ResumeRequest.safeParse(parseJsonBody(await readRawBody(request)));
    if (!body.success)
      throw new ProblemException({
        status: 400,
        code: 'invalid-resume',
        title: 'Bad request',
        detail: 'a resume needs {"operator": "<who>", "reason": "<why>"}',
        errors: body.error.issues.map((issue) => ({
          pointer: `/${issue.path.join('/')}`,
          detail: issue.message,
        })),
      });
    const now = this.clock.now();
    const resumed = await this.db.transaction().execute((trx) =>
      liftPause(trx, {
        tier: tier.data,
        resumedBy: body.data.operator,
        actor: { type: 'user', id: body.data.operator },
        details: { via: 'operator', reason: body.data.reason },
        now,
      }),
    );
    if (resumed === undefined)
      throw new ProblemException({
        status: 409,
        code: 'tier-not-paused',
        title: 'Conflict',
        detail: `the ${tier.data} tier is not paused by the patcher`,
      });
    this.metrics.pausedTiers.set({ tier: tier.data }, 0);
    void this.relay.flush();
    // The tier may be open again: its backlog is worked from now.
    void this.backlog.reconcile();
    return {
      tier: tier.data,
      resumedAt: now.toISOString(),
      resumedBy: body.data.operator,
      // This lifts the patcher's own pause only; a pause policy-admin recorded stays until an
      // admin resumes the tier there.
      pausedInPolicy: effectiveTier(this.policy.snapshot(), tier.data).paused,
    };
  }
}
