import type { ApiKeyStateV1, ApiKeyUsedV1, RiskAcceptanceV1 } from './access';
import type { AuditEntryV1 } from './audit';
import type { IntelUpdatedV1 } from './intel';
import { AUDIT_GENESIS_HASH, computeAuditHash } from './audit';
import type { ClassifiedFindingV1 } from './classified';
import type { FindingV1 } from './finding';
import type { PolicyStateV1 } from './policy';
import type { RemediationEventV1 } from './remediation';
import type { FindingResolvedV1 } from './resolved';
import type { ScanCompletedV1 } from './scan';
import type { TicketEventV1 } from './ticket';
import type { TopicId } from './topics';

/**
 * One valid event per topic: documentation in the AsyncAPI file, and the starting point of
 * test fixtures (override what a test cares about).
 */
export const EXAMPLE_FINDING: FindingV1 = {
  fingerprint: 'a3f1c2d4e5b6a7980112233445566778899aabbccddeeff00112233445566778',
  scanId: '6f1c1b7e-2d6a-4c61-9a55-0f3b2f0d9c11',
  kind: 'vulnerability',
  title: 'CVE-2021-44228 in org.apache.logging.log4j:log4j-core 2.14.1',
  description:
    'Apache Log4j2 JNDI features do not protect against attacker controlled LDAP endpoints.',
  rule: { id: 'CVE-2021-44228' },
  severity: { reported: 'CRITICAL', normalized: 'critical' },
  vulnerability: { id: 'CVE-2021-44228', aliases: ['GHSA-jfh8-c2jp-5v3q'] },
  cvss: [
    {
      version: '3.1',
      vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
      reportedScore: 10,
      source: 'nvd',
    },
  ],
  cwes: ['CWE-502', 'CWE-917'],
  component: {
    name: 'org.apache.logging.log4j:log4j-core',
    version: '2.14.1',
    purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
    ecosystem: 'maven',
    fixedVersions: ['2.15.0'],
    path: 'app/lib/log4j-core-2.14.1.jar',
  },
  references: ['https://nvd.nist.gov/vuln/detail/CVE-2021-44228'],
  tags: [],
  tool: { name: 'trivy', version: '0.50.1' },
  asset: {
    id: 'payments-api',
    type: 'container-image',
    environment: 'prod',
    team: 'payments',
    exposure: 'internet',
    repository: 'https://git.example.com/bank/payments-api',
    commit: '9fceb02d0ae598e95dc970b74767f19372d61af8',
  },
  detectedAt: '2026-11-20T10:15:00.000Z',
};

export const EXAMPLE_SCAN_COMPLETED: ScanCompletedV1 = {
  scanId: EXAMPLE_FINDING.scanId,
  scope: { assetId: 'payments-api', tool: 'trivy' },
  asset: EXAMPLE_FINDING.asset,
  tool: EXAMPLE_FINDING.tool,
  format: 'trivy-json',
  findingCount: 1,
  severityCounts: { critical: 1, high: 0, medium: 0, low: 0, info: 0, unknown: 0 },
  source: 'gateway',
  completedAt: '2026-11-20T10:15:01.000Z',
};

export const EXAMPLE_CLASSIFIED: ClassifiedFindingV1 = {
  finding: EXAMPLE_FINDING,
  classification: {
    tier: 'critical',
    score: 100,
    // As libs/risk's engine explains this finding (contributions add up to the score).
    factors: [
      {
        name: 'cvss',
        input: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
        contribution: 100,
        note: 'CVSS 3.1 base score 10.0 critical, computed from the vector (nvd); 10 points per CVSS point',
      },
      {
        name: 'epss.probability',
        input: 0.94358,
        contribution: 15,
        note: 'EPSS of 2025-08-15: at least 0.5 (+15)',
      },
      {
        name: 'epss.percentile',
        input: 0.99955,
        contribution: 5,
        note: 'EPSS of 2025-08-15: at least 0.99 (+5)',
      },
      {
        name: 'kev',
        input: true,
        contribution: 30,
        note: 'in CISA KEV since 2021-12-10 (+25); ransomware use (+5)',
      },
      { name: 'environment', input: 'prod', contribution: 0, note: 'prod, from the scan' },
      { name: 'exposure', input: 'internet', contribution: 10, note: 'internet, from the scan' },
      {
        name: 'clamp',
        input: 160,
        contribution: -60,
        note: 'the factors add up to 160.0; scores are clamped to 0..100',
      },
    ],
    policyVersion: 'risk-policy@1',
    classifiedAt: '2026-11-20T10:15:02.000Z',
  },
  lifecycle: {
    state: 'new',
    change: 'new',
    firstSeenAt: '2026-11-20T10:15:00.000Z',
    lastSeenAt: '2026-11-20T10:15:00.000Z',
    revision: 1,
  },
};

export const EXAMPLE_RESOLVED: FindingResolvedV1 = {
  fingerprint: EXAMPLE_FINDING.fingerprint,
  asset: EXAMPLE_FINDING.asset,
  scope: { assetId: 'payments-api', tool: 'trivy' },
  lastTier: 'critical',
  title: EXAMPLE_FINDING.title,
  reason: 'absent-from-complete-scan',
  resolvedByScanId: '0b6f8c1e-5a2d-4c3b-8e7f-1a2b3c4d5e6f',
  resolvedAt: '2026-11-22T08:00:00.000Z',
  revision: 2,
};

export const EXAMPLE_REMEDIATION: RemediationEventV1 = {
  attemptKey: `${EXAMPLE_FINDING.fingerprint}:2.15.0`,
  fingerprint: EXAMPLE_FINDING.fingerprint,
  asset: EXAMPLE_FINDING.asset,
  team: 'payments',
  tier: 'low',
  title: EXAMPLE_FINDING.title,
  status: 'applied',
  reasons: [],
  strategy: 'github-pr',
  fix: {
    component: 'org.apache.logging.log4j:log4j-core',
    ecosystem: 'maven',
    fromVersion: '2.14.1',
    toVersion: '2.15.0',
  },
  url: 'https://github.example.com/bank/payments-api/pull/42',
  policyVersion: 'tier:low@3',
  decidedAt: '2026-11-20T10:16:00.000Z',
};

export const EXAMPLE_TICKET_EVENT: TicketEventV1 = {
  provider: 'jira-cloud',
  groupKey: 'payments-api|CVE-2021-44228',
  ticketKey: 'SEC-101',
  url: 'https://bank.atlassian.net/browse/SEC-101',
  action: 'created',
  fingerprints: [EXAMPLE_FINDING.fingerprint],
  at: '2026-11-20T10:15:03.000Z',
};

export const EXAMPLE_POLICY_STATE: PolicyStateV1 = {
  kind: 'tier',
  tier: 'low',
  mode: 'on',
  paused: false,
  budgets: { patchesPerHour: 20, maxInFlight: 5, perTeamPerHour: 5 },
  slaDays: 180,
  version: 3,
  updatedAt: '2026-11-19T09:00:00.000Z',
  decidedBy: ['alice'],
  proposalId: 'prp-7',
};

const auditBody: Omit<AuditEntryV1, 'hash'> = {
  chain: 'policy-admin',
  seq: 1,
  id: '3d4e5f60-7182-4394-a5b6-c7d8e9f00112',
  at: '2026-11-19T09:00:00.000Z',
  actor: { type: 'user', id: 'alice' },
  action: 'policy.proposal.approved',
  entity: { type: 'policy', id: 'tier:low' },
  outcome: 'success',
  details: { from: 'dry-run', to: 'on' },
  prevHash: AUDIT_GENESIS_HASH,
};

export const EXAMPLE_AUDIT_ENTRY: AuditEntryV1 = {
  ...auditBody,
  hash: computeAuditHash(auditBody),
};

export const EXAMPLE_API_KEY_STATE: ApiKeyStateV1 = {
  id: 'k3y0pay4ment',
  name: 'payments-api GitHub Actions',
  hash: '5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8',
  permissions: ['scans:publish', 'gate:read'],
  assets: ['payments-*'],
  teams: ['payments'],
  createdAt: '2026-11-01T09:00:00.000Z',
  createdBy: 'alice',
  version: 1,
};

export const EXAMPLE_API_KEY_USED: ApiKeyUsedV1 = {
  id: EXAMPLE_API_KEY_STATE.id,
  lastUsedAt: '2026-11-27T09:30:00.000Z',
  service: 'ingest-gateway',
};

export const EXAMPLE_RISK_ACCEPTANCE: RiskAcceptanceV1 = {
  id: 'acc-12',
  target: { kind: 'finding', fingerprint: EXAMPLE_FINDING.fingerprint },
  reason:
    'Not reachable: the JNDI lookup is disabled by configuration until the 2.17 upgrade ships.',
  owner: 'payments',
  expiresAt: '2026-12-31T00:00:00.000Z',
  state: 'active',
  acceptedTier: 'high',
  proposedBy: 'alice',
  approvedBy: 'bob',
  decidedAt: '2026-11-21T12:00:00.000Z',
  version: 1,
};

export const EXAMPLE_INTEL_UPDATED: IntelUpdatedV1 = {
  kind: 'kev',
  snapshotId: '9c56cc51b374c3ba189210d5b6d4bf57790d351c96c47c02190ecf1e430635ab',
  asOf: '2026-11-26',
  entries: 1484,
  source: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
  storedAt: '2026-11-27T06:00:00.000Z',
};

export const EXAMPLES: { readonly [K in TopicId]: unknown } = {
  findingsRaw: EXAMPLE_FINDING,
  scansCompleted: EXAMPLE_SCAN_COMPLETED,
  findingsClassified: EXAMPLE_CLASSIFIED,
  findingsResolved: EXAMPLE_RESOLVED,
  remediationEvents: EXAMPLE_REMEDIATION,
  ticketsEvents: EXAMPLE_TICKET_EVENT,
  policyState: EXAMPLE_POLICY_STATE,
  auditLog: EXAMPLE_AUDIT_ENTRY,
  apiKeysState: EXAMPLE_API_KEY_STATE,
  apiKeysUsage: EXAMPLE_API_KEY_USED,
  riskAcceptances: EXAMPLE_RISK_ACCEPTANCE,
  intelUpdates: EXAMPLE_INTEL_UPDATED,
};
