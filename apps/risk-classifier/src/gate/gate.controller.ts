import { Controller, Get, Inject, Param, Query, Req, UseGuards } from '@nestjs/common';
import type { Kysely } from 'kysely';
import {
  ApiKeyGuard,
  type ApiKeyPrincipal,
  keyCoversAsset,
  RequireApiKeyPermission,
} from '@hum/auth';
import { type Clock } from '@hum/common';
import { AssetRef, ticketGroupKeys } from '@hum/contracts';
import { parseJsonText } from '@hum/persistence';
import { type PolicyFollower, type RiskAcceptanceFollower } from '@hum/policy';
import { ProblemException } from '@hum/runtime';
import type { ClassifierDatabase } from '../inventory/schema';
import { CLASSIFIER_CLOCK, INVENTORY_DB, POLICY_FOLLOWER, RISK_ACCEPTANCES } from '../tokens';
import { evaluateGate, type OpenFinding, STAGES, type Stage } from './gate';

function badParameter(parameter: string, detail: string): ProblemException {
  return new ProblemException({
    status: 400,
    code: 'invalid-parameter',
    title: 'Invalid parameter',
    detail: `${parameter}: ${detail}`,
    errors: [{ parameter, detail }],
  });
}

/** The promotion gate and scan progress, for pipelines holding a key with `gate:read`. */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class GateController {
  constructor(
    @Inject(INVENTORY_DB) private readonly db: Kysely<ClassifierDatabase>,
    @Inject(POLICY_FOLLOWER) private readonly policy: PolicyFollower,
    @Inject(CLASSIFIER_CLOCK) private readonly clock: Clock,
    @Inject(RISK_ACCEPTANCES) private readonly acceptances: RiskAcceptanceFollower,
  ) {}

  @Get('gate')
  @RequireApiKeyPermission('gate:read')
  async gate(
    @Query('asset') asset: unknown,
    @Query('stage') stage: unknown,
    @Req() request: { principal?: ApiKeyPrincipal },
  ): Promise<Record<string, unknown>> {
    const assetId = AssetRef.shape.id.safeParse(asset);
    if (!assetId.success)
      throw badParameter('asset', 'required: the asset id the build belongs to');
    if (typeof stage !== 'string' || !(STAGES as readonly string[]).includes(stage)) {
      throw badParameter('stage', `one of ${STAGES.join(', ')}`);
    }
    if (!keyCoversAsset(request.principal!, assetId.data, undefined)) {
      throw new ProblemException({
        status: 403,
        code: 'asset-out-of-scope',
        title: 'Asset outside the API key scope',
        detail: `this API key may not read the gate of asset ${assetId.data}`,
      });
    }
    const snapshot = this.policy.current();
    const threshold = snapshot.global.gate[stage as Stage];
    const rows = await this.db
      .selectFrom('findings')
      .select(['fingerprint', 'tier', 'score', 'first_seen_at', 'finding'])
      .where('asset_id', '=', assetId.data)
      .where('state', '=', 'open')
      .execute();
    const now = this.clock.now();
    const open: OpenFinding[] = rows.map((row) => {
      const finding = parseJsonText(row.finding);
      const acceptance = this.acceptances.coverFor(
        { fingerprint: row.fingerprint, tier: row.tier, groupKeys: ticketGroupKeys(finding) },
        now,
      );
      return {
        fingerprint: row.fingerprint,
        title: finding.title,
        tier: row.tier,
        score: row.score,
        vulnerabilityId: finding.vulnerability?.id,
        firstSeenAt: new Date(row.first_seen_at).toISOString(),
        accepted: acceptance !== undefined,
        ...(acceptance
          ? {
              acceptance: {
                id: acceptance.id,
                owner: acceptance.owner,
                expiresAt: acceptance.expiresAt,
                reason: acceptance.reason,
              },
            }
          : {}),
      };
    });
    const verdict = evaluateGate(open, threshold);
    return {
      asset: assetId.data,
      stage,
      ...verdict,
      policy: { version: snapshot.global.version, loaded: snapshot.loaded },
      acceptancesLoaded: this.acceptances.loaded,
      evaluatedAt: now.toISOString(),
    };
  }

  /** Whether the classifier holds every finding a scan announced, per tool scope. */
  @Get('scans/:scanId')
  @RequireApiKeyPermission('gate:read')
  async scan(@Param('scanId') scanId: string): Promise<Record<string, unknown>> {
    if (!/^[0-9a-f-]{36}$/i.test(scanId))
      throw badParameter('scanId', 'a scan id (UUID) as the gateway returned it');
    const rows = await this.db
      .selectFrom('scans')
      .select((eb) => [
        'scope_key',
        'expected_count',
        'status',
        eb
          .selectFrom('scan_counts')
          .select((inner) =>
            inner.fn.coalesce(inner.fn.sum<number>('received'), inner.lit(0)).as('n'),
          )
          .whereRef('scan_counts.scan_id', '=', 'scans.scan_id')
          .whereRef('scan_counts.scope_key', '=', 'scans.scope_key')
          .as('received_count'),
      ])
      .where('scan_id', '=', scanId)
      .execute();
    if (rows.length === 0) {
      throw new ProblemException({
        status: 404,
        code: 'scan-not-seen',
        title: 'Scan not seen yet',
        detail: `the classifier has not seen scan ${scanId} yet; it may still be on its way`,
      });
    }
    const scopes = rows.map((row) => {
      // Counts are dropped once a scan is evaluated: its status says it was complete.
      const received = Number(row.received_count ?? 0);
      const evaluated = row.status !== 'collecting';
      return {
        scope: row.scope_key,
        expected: row.expected_count,
        received: evaluated ? row.expected_count : received,
        status: row.status,
        complete: evaluated || (row.expected_count !== null && received >= row.expected_count),
      };
    });
    return { scanId, classified: scopes.every((s) => s.complete), scopes };
  }
}
