import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EXAMPLE_FINDING, type AssetRef, type FindingV1 } from '@hum/contracts';
import { createEpssScores, type EpssScore } from '../../intel/epss';
import { createKevCatalog, type KevEntry } from '../../intel/kev';
import { createIntelSnapshot, type IntelSnapshot } from '../../intel/snapshot';
import { BUNDLED_RISK_POLICY_FILE } from '../../policy/bundled';
import { parseRiskPolicy, type RiskPolicy } from '../../policy/risk-policy';

// Specs only: shared fixtures for the scoring, policy and asset specs.

export function readBundledPolicyText(): string {
  return readFileSync(
    path.resolve(__dirname, '../../../../data', BUNDLED_RISK_POLICY_FILE),
    'utf8',
  );
}

export function bundledPolicy(): RiskPolicy {
  return parseRiskPolicy(readBundledPolicyText(), BUNDLED_RISK_POLICY_FILE);
}

/** The bundled policy text with `replacements` applied (each `[from, to]` must match). */
export function policyWith(...replacements: [string, string][]): RiskPolicy {
  let text = readBundledPolicyText();
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`the bundled policy has no "${from}"`);
    text = text.replace(from, to);
  }
  return parseRiskPolicy(text);
}

export const NOW = new Date('2026-11-20T10:15:02.000Z');

export function kevEntry(cveId: string, extra: Partial<KevEntry> = {}): KevEntry {
  return {
    cveId,
    vendorProject: 'Vendor',
    product: 'Product',
    vulnerabilityName: `${cveId} vulnerability`,
    dateAdded: '2024-01-10',
    shortDescription: 'Exploited in the wild.',
    requiredAction: 'Apply updates.',
    dueDate: '2024-01-31',
    knownRansomwareCampaignUse: 'Unknown',
    notes: '',
    cwes: [],
    ...extra,
  };
}

/** A snapshot with exactly these KEV entries and EPSS scores. */
export function intelWith(
  kev: readonly KevEntry[] = [],
  epss: Readonly<Record<string, EpssScore>> = {},
  asOf = '2026-11-19',
): IntelSnapshot {
  return createIntelSnapshot(
    createKevCatalog({ catalogVersion: asOf, dateReleased: `${asOf}T00:00:00Z`, asOf }, kev),
    createEpssScores(
      { modelVersion: 'v2025.03.14', scoreDate: `${asOf}T00:00:00Z`, asOf },
      Object.entries(epss),
    ),
  );
}

/**
 * The anchor context of the default policy: prod, internal, no catalogue entry (criticality and
 * data sensitivity unknown, weighted 0 like medium and internal), a fix known, no intel.
 */
export const NEUTRAL_ASSET: AssetRef = {
  id: 'ledger-service',
  type: 'container-image',
  environment: 'prod',
  exposure: 'internal',
  team: 'ledger',
};

/** A vulnerability finding in the neutral context with the given CVSS vectors. */
export function aFinding(changes: Partial<FindingV1> = {}): FindingV1 {
  return {
    ...EXAMPLE_FINDING,
    title: 'CVE-2099-0001 in example-lib 1.0.0',
    rule: { id: 'CVE-2099-0001' },
    severity: { reported: 'HIGH', normalized: 'high' },
    vulnerability: { id: 'CVE-2099-0001', aliases: [] },
    cvss: [{ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }],
    cwes: [],
    component: {
      name: 'example-lib',
      version: '1.0.0',
      ecosystem: 'npm',
      purl: 'pkg:npm/example-lib@1.0.0',
      fixedVersions: ['1.0.1'],
    },
    asset: NEUTRAL_ASSET,
    ...changes,
  };
}
