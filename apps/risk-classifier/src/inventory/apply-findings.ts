import { sql } from 'kysely';

import {
  classifiedAroundCheckedFinding,
  type ClassifiedFindingV1,
  type FindingV1,
  type RiskTier,
  scanScopeKey,
  TOPICS,
} from '@hum/contracts';
import type { InboundEvent, LedgerCompaction, OutgoingEvent } from '@hum/kafka';
import {
  forEachChunk,
  jsonText,
  type JsonString,
  MAX_TEXT_PARAMS,
  textParams,
} from '@hum/persistence';
import { type BreakerPolicy, decideSighting, type InventoryState } from '@hum/risk';
import type { RiskContext } from '../risk-context';
import { jsonRows } from './json-rows';
import { byScanKey } from './scan-key-order';
import {
  evaluateScanIfComplete,
  type EvaluationOutcome,
  scansThatMayBeComplete,
} from './scan-evaluation';
import type { ClassifierTransaction } from './schema';

type Trx = ClassifierTransaction;
type FindingEvent = InboundEvent<typeof TOPICS.findingsRaw.schema>;

interface Known extends InventoryState {
  firstSeenAt: Date;
  lastSeenAt: Date;
  resolvedScanStartedAt: Date | null;
}

export interface ApplyStats {
  classified: Record<string, number>;
  touched: number;
  /** Late sightings from scans older than the one that resolved the finding. */
  stale: number;
  evaluations: EvaluationOutcome[];
}

/** A findings row for the bulk upsert (state open, unresolved). */
interface FindingRow {
  fingerprint: string;
  asset_id: string;
  tier: RiskTier;
  score: number;
  kev: boolean;
  revision: number;
  vulnerability_ids: string[];
  first_seen_at: string;
  last_seen_at: string;
  /** JSON text, sent as a text parameter of its own (textParams). */
  finding: JsonString<FindingV1>;
  classification: JsonString<ClassifiedFindingV1['classification']>;
}

interface ScopeRow {
  fingerprint: string;
  scope_key: string;
  last_seen_at: string;
  last_scan_id: string;
}

interface SightingRow {
  scan_id: string;
  scope_key: string;
  fingerprint: string;
}

/** Rows per findings upsert: two text parameters each (see textParams). */
const UPSERT_CHUNK = MAX_TEXT_PARAMS / 2;

async function upsertFindings(trx: Trx, rows: readonly FindingRow[], now: Date): Promise<void> {
  await forEachChunk(rows, UPSERT_CHUNK, async (chunk) => {
    // The documents as parameters of their own, the rest as one JSON parameter, zipped.
    const columns = chunk.map(({ finding: _f, classification: _c, ...rest }) => rest);
    await sql`
      insert into findings (fingerprint, asset_id, state, tier, score, kev, revision,
        vulnerability_ids, first_seen_at, last_seen_at, resolved_at, resolved_scan_started_at,
        finding, classification, updated_at)
      select r.fingerprint, r.asset_id, 'open'::text, r.tier, r.score, r.kev, r.revision,
        r.vulnerability_ids, r.first_seen_at, r.last_seen_at, null::timestamptz,
        null::timestamptz, r.finding, r.classification, ${now.toISOString()}::timestamptz
      from rows from (
        json_to_recordset(${JSON.stringify(columns)}::json) as (fingerprint text, asset_id text,
          tier text, score real, kev boolean, revision integer, vulnerability_ids text[],
          first_seen_at timestamptz, last_seen_at timestamptz),
        unnest(${textParams(chunk.map((row) => row.finding))}),
        unnest(${textParams(chunk.map((row) => row.classification))})
      ) as r(fingerprint, asset_id, tier, score, kev, revision, vulnerability_ids, first_seen_at,
        last_seen_at, finding, classification)
      on conflict (fingerprint) do update set
        asset_id = excluded.asset_id, state = excluded.state, tier = excluded.tier,
        score = excluded.score, kev = excluded.kev, revision = excluded.revision,
        vulnerability_ids = excluded.vulnerability_ids, last_seen_at = excluded.last_seen_at,
        resolved_at = excluded.resolved_at,
        resolved_scan_started_at = excluded.resolved_scan_started_at,
        finding = excluded.finding, classification = excluded.classification,
        updated_at = excluded.updated_at`.execute(trx);
  });
}

async function upsertScopes(trx: Trx, rows: readonly ScopeRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into finding_scopes (fingerprint, scope_key, last_seen_at, last_scan_id)
    select r.fingerprint, r.scope_key, r.last_seen_at, r.last_scan_id
    from ${jsonRows(rows)} as r(fingerprint text, scope_key text, last_seen_at timestamptz,
      last_scan_id uuid)
    on conflict (fingerprint, scope_key) do update set
      last_seen_at = greatest(finding_scopes.last_seen_at, excluded.last_seen_at),
      last_scan_id = case when excluded.last_seen_at >= finding_scopes.last_seen_at
        then excluded.last_scan_id else finding_scopes.last_scan_id end`.execute(trx);
}

async function insertScans(
  trx: Trx,
  scans: readonly {
    scanId: string;
    scopeKey: string;
    assetId: string;
    tool: string;
    startedAt: Date;
  }[],
  now: Date,
): Promise<void> {
  if (scans.length === 0) return;
  const rows = scans.map((scan) => ({
    scan_id: scan.scanId,
    scope_key: scan.scopeKey,
    asset_id: scan.assetId,
    tool: scan.tool,
    started_at: scan.startedAt.toISOString(),
  }));
  // DO NOTHING takes no lock on an existing row: partitions never queue on a shared scan row.
  await sql`
    insert into scans (scan_id, scope_key, asset_id, tool, expected_count, started_at, status,
      completed_event, updated_at)
    select r.scan_id, r.scope_key, r.asset_id, r.tool, null::integer, r.started_at,
      'collecting'::text, null::jsonb, ${now.toISOString()}::timestamptz
    from ${jsonRows(rows)} as r(scan_id uuid, scope_key text, asset_id text, tool text,
      started_at timestamptz)
    on conflict (scan_id, scope_key) do nothing`.execute(trx);
}

/**
 * Records each scan's sightings and adds the new ones (a redelivered or repeated sighting adds
 * nothing) to this partition's count row in one statement.
 */
async function recordSightings(
  trx: Trx,
  rows: readonly SightingRow[],
  partition: number,
): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    with added as (
      insert into scan_sightings (scan_id, scope_key, fingerprint)
      select r.scan_id, r.scope_key, r.fingerprint
      from ${jsonRows(rows)} as r(scan_id uuid, scope_key text, fingerprint text)
      on conflict (scan_id, scope_key, fingerprint) do nothing
      returning scan_id, scope_key
    )
    insert into scan_counts (scan_id, scope_key, partition, received)
    select scan_id, scope_key, ${partition}::integer, count(*)::integer
    from added group by scan_id, scope_key
    on conflict (scan_id, scope_key, partition) do update set
      received = scan_counts.received + excluded.received`.execute(trx);
}

/**
 * A classified event carries the finding it classified, which is the findings.raw message
 * itself: the consumer ledger stores the event without it and takes it back from the
 * redelivered message, so a finding is written once (in `findings`), not twice.
 */
export const classifiedCompaction: LedgerCompaction<typeof TOPICS.findingsRaw.schema> = {
  omit: (output, input) =>
    output.topic === TOPICS.findingsClassified &&
    (output.data as ClassifiedFindingV1).finding === input.data
      ? { ...(output.data as ClassifiedFindingV1), finding: undefined }
      : output.data,
  restore: (stored, topic, input) =>
    topic === TOPICS.findingsClassified &&
    (stored as Partial<ClassifiedFindingV1>).finding === undefined
      ? { finding: input.data, ...(stored as Omit<ClassifiedFindingV1, 'finding'>) }
      : stored,
};

function later(a: Date, b: Date): Date {
  return a > b ? a : b;
}

/**
 * Applies a batch of findings.raw messages to the inventory: classifies each finding, decides
 * its lifecycle step, upserts findings, scope sightings and scan progress in bulk, evaluates
 * scans that became complete, and returns the events to publish per message offset.
 */
export async function applyFindings(
  trx: Trx,
  events: readonly FindingEvent[],
  risk: RiskContext,
  breaker: BreakerPolicy,
  now: Date,
): Promise<{ outputs: Map<string, OutgoingEvent[]>; stats: ApplyStats }> {
  const outputs = new Map<string, OutgoingEvent[]>();
  const stats: ApplyStats = { classified: {}, touched: 0, stale: 0, evaluations: [] };
  const fingerprints = [...new Set(events.map((e) => e.data.fingerprint))];
  const known = new Map<string, Known>();
  await forEachChunk(fingerprints, 1_000, async (chunk) => {
    const rows = await trx
      .selectFrom('findings')
      .select([
        'fingerprint',
        'state',
        'tier',
        'kev',
        'revision',
        'first_seen_at',
        'last_seen_at',
        'resolved_scan_started_at',
      ])
      .where('fingerprint', 'in', chunk)
      .forUpdate()
      .execute();
    for (const row of rows) {
      known.set(row.fingerprint, {
        state: row.state,
        tier: row.tier,
        kev: row.kev,
        revision: row.revision,
        firstSeenAt: new Date(row.first_seen_at),
        lastSeenAt: new Date(row.last_seen_at),
        resolvedScanStartedAt:
          row.resolved_scan_started_at === null ? null : new Date(row.resolved_scan_started_at),
      });
    }
  });

  const upserts = new Map<string, FindingRow>();
  const scopes = new Map<string, ScopeRow>();
  const sightings = new Map<string, SightingRow>();
  const scans = new Map<
    string,
    { scanId: string; scopeKey: string; assetId: string; tool: string; startedAt: Date }
  >();
  const classifiedAt = now.toISOString();

  for (const event of events) {
    const finding: FindingV1 = event.data;
    const seenAt = new Date(finding.detectedAt);
    const scopeKey = scanScopeKey({ assetId: finding.asset.id, tool: finding.tool.name });
    const scanKey = `${finding.scanId}\u0000${scopeKey}`;
    // Every sighting counts towards its scan's completeness, even one that changes nothing.
    sightings.set(`${scanKey}\u0000${finding.fingerprint}`, {
      scan_id: finding.scanId,
      scope_key: scopeKey,
      fingerprint: finding.fingerprint,
    });
    scans.set(scanKey, {
      scanId: finding.scanId,
      scopeKey,
      assetId: finding.asset.id,
      tool: finding.tool.name,
      startedAt: seenAt,
    });
    const before = known.get(finding.fingerprint);
    if (
      before?.state === 'resolved' &&
      before.resolvedScanStartedAt !== null &&
      seenAt <= before.resolvedScanStartedAt
    ) {
      // From a scan older than the one that resolved it, arriving late: it proves nothing.
      stats.stale += 1;
      continue;
    }
    const { classification, kev } = risk.classify(finding, now);
    const decision = decideSighting(before, classification.tier);
    const firstSeenAt = before?.firstSeenAt ?? seenAt;
    const lastSeenAt = before ? later(before.lastSeenAt, seenAt) : seenAt;
    const revision = decision.kind === 'touch' ? before!.revision : decision.emit.revision;
    const tier: RiskTier = classification.tier;
    known.set(finding.fingerprint, {
      state: 'open',
      tier,
      kev,
      revision,
      firstSeenAt,
      lastSeenAt,
      resolvedScanStartedAt: null,
    });
    const stamped = { ...classification, classifiedAt };
    const findingJson = jsonText(finding);
    const classificationJson = jsonText(stamped);
    upserts.set(finding.fingerprint, {
      fingerprint: finding.fingerprint,
      asset_id: finding.asset.id,
      tier,
      score: classification.score,
      kev,
      revision,
      vulnerability_ids: finding.vulnerability
        ? [finding.vulnerability.id, ...finding.vulnerability.aliases].map((id) => id.toUpperCase())
        : [],
      first_seen_at: firstSeenAt.toISOString(),
      last_seen_at: lastSeenAt.toISOString(),
      finding: findingJson,
      classification: classificationJson,
    });
    if (decision.kind === 'touch') {
      stats.touched += 1;
    } else {
      // The finding passed its contract when it was consumed: only the rest is checked.
      const emitted = classifiedAroundCheckedFinding(
        finding,
        stamped,
        {
          state: decision.emit.state,
          change: decision.emit.change,
          ...(decision.kind === 'update' && decision.emit.previousTier
            ? { previousTier: decision.emit.previousTier }
            : {}),
          firstSeenAt: firstSeenAt.toISOString(),
          lastSeenAt: lastSeenAt.toISOString(),
          revision,
        },
        findingJson,
        classificationJson,
      );
      const list = outputs.get(event.offset) ?? [];
      list.push({
        topic: TOPICS.findingsClassified,
        key: finding.fingerprint,
        data: emitted,
        subject: finding.asset.id,
      });
      outputs.set(event.offset, list);
      stats.classified[decision.emit.change] = (stats.classified[decision.emit.change] ?? 0) + 1;
    }
    const scopeRowKey = `${finding.fingerprint}\u0000${scopeKey}`;
    const previousScope = scopes.get(scopeRowKey);
    if (!previousScope || new Date(previousScope.last_seen_at) <= seenAt) {
      scopes.set(scopeRowKey, {
        fingerprint: finding.fingerprint,
        scope_key: scopeKey,
        last_seen_at: seenAt.toISOString(),
        last_scan_id: finding.scanId,
      });
    }
  }

  await upsertFindings(trx, [...upserts.values()], now);
  await upsertScopes(trx, [...scopes.values()]);
  const scanRows = [...scans.values()].sort(byScanKey);
  await insertScans(trx, scanRows, now);
  await recordSightings(trx, [...sightings.values()], events[0]!.partition);
  const last = events[events.length - 1]!.offset;
  for (const scan of await scansThatMayBeComplete(trx, scanRows)) {
    const outcome = await evaluateScanIfComplete(trx, scan.scanId, scan.scopeKey, breaker, now);
    if (outcome.events.length > 0)
      outputs.set(last, [...(outputs.get(last) ?? []), ...outcome.events]);
    if (outcome.events.length > 0 || outcome.stale) stats.evaluations.push(outcome);
  }
  return { outputs, stats };
}
