import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { FindingV1 } from '@hum/contracts';
import {
  type AssetCatalogue,
  BUNDLED_INTEL_FILES,
  BUNDLED_RISK_POLICY_FILE,
  bundledRiskDataPath,
  type Classification,
  classifyFinding,
  createIntelSnapshot,
  type IntelSnapshot,
  parseAssetCatalogue,
  parseEpssCsv,
  parseKevCatalog,
  parseRiskPolicy,
  resolveAsset,
  type RiskPolicy,
} from '@hum/risk';
import type { IntelTables } from './inventory/schema';

export interface RiskFiles {
  policyFile?: string | undefined;
  catalogueFile?: string | undefined;
  kevFile?: string | undefined;
  epssFile?: string | undefined;
}

interface IntelSources {
  kev: Uint8Array;
  epss: Uint8Array;
}

/**
 * What classification depends on besides the finding: the risk policy, threat intel and the
 * asset catalogue. Policy and catalogue are read once at start (a bad one stops the start with
 * the file's line and field); intel starts from the configured or bundled files and follows
 * the snapshots activated in the database, so every replica classifies with the same intel.
 */
export class RiskContext {
  private activeIds = '';

  private constructor(
    readonly policy: RiskPolicy,
    private intelSnapshot: IntelSnapshot,
    private readonly baseline: IntelSources,
    private readonly catalogue: AssetCatalogue | undefined,
  ) {}

  static load(files: RiskFiles): RiskContext {
    const policyFile = files.policyFile ?? bundledRiskDataPath(BUNDLED_RISK_POLICY_FILE);
    const policy = parseRiskPolicy(readFileSync(policyFile, 'utf8'), policyFile);
    const baseline: IntelSources = {
      kev: readFileSync(files.kevFile ?? bundledRiskDataPath(BUNDLED_INTEL_FILES.kevJson)),
      epss: readFileSync(files.epssFile ?? bundledRiskDataPath(BUNDLED_INTEL_FILES.epssCsv)),
    };
    const intel = createIntelSnapshot(parseKevCatalog(baseline.kev), parseEpssCsv(baseline.epss));
    const catalogue =
      files.catalogueFile === undefined
        ? undefined
        : parseAssetCatalogue(readFileSync(files.catalogueFile, 'utf8'), files.catalogueFile);
    return new RiskContext(policy, intel, baseline, catalogue);
  }

  get intel(): IntelSnapshot {
    return this.intelSnapshot;
  }

  /** The snapshot the active rows name, built without installing it (to diff before switching). */
  async activeIntel(database: object): Promise<{ ids: string; intel: IntelSnapshot }> {
    // Only the intel tables are touched; any database (or transaction) that has them will do.
    const db = database as unknown as Kysely<IntelTables>;
    const active = await db
      .selectFrom('intel_active')
      .select(['kind', 'snapshot_id'])
      .orderBy('kind')
      .execute();
    const ids = active.map((row) => `${row.kind}:${row.snapshot_id}`).join(',');
    if (ids === this.activeIds) return { ids, intel: this.intelSnapshot };
    const contents = new Map<string, Uint8Array>();
    if (active.length > 0) {
      const rows = await db
        .selectFrom('intel_snapshots')
        .select(['kind', 'content'])
        .where(
          'id',
          'in',
          active.map((row) => row.snapshot_id),
        )
        .execute();
      for (const row of rows) contents.set(row.kind, row.content);
    }
    const intel = createIntelSnapshot(
      parseKevCatalog(contents.get('kev') ?? this.baseline.kev),
      parseEpssCsv(contents.get('epss') ?? this.baseline.epss),
    );
    return { ids, intel };
  }

  /** Follows the active snapshots: a cheap query per batch, a reload only when they changed. */
  async refresh(db: object): Promise<void> {
    const { ids, intel } = await this.activeIntel(db);
    this.install(ids, intel);
  }

  install(ids: string, intel: IntelSnapshot): void {
    this.activeIds = ids;
    this.intelSnapshot = intel;
  }

  classify(finding: FindingV1, now: Date): { classification: Classification; kev: boolean } {
    return this.classifyWith(this.intelSnapshot, finding, now);
  }

  classifyWith(
    intel: IntelSnapshot,
    finding: FindingV1,
    now: Date,
  ): { classification: Classification; kev: boolean } {
    const asset = resolveAsset(finding.asset, this.catalogue);
    const classification = classifyFinding(finding, { policy: this.policy, intel, asset, now });
    const ids = finding.vulnerability
      ? [finding.vulnerability.id, ...finding.vulnerability.aliases]
      : [];
    return { classification, kev: ids.some((id) => intel.kev.has(id.toUpperCase())) };
  }
}
