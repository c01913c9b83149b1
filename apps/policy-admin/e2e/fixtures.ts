import { createHash, randomUUID } from 'node:crypto';
import {
  AUDIT_GENESIS_HASH,
  type AuditEntryV1,
  type ClassifiedFindingV1,
  computeAuditHash,
  EXAMPLE_CLASSIFIED,
  type RiskTier,
} from '@hum/contracts';

export function fingerprintOf(label: string): string {
  return createHash('sha256').update(label).digest('hex');
}

/** A classified finding with an upgradable npm component, owned by `team`. */
export function classified(options: {
  label: string;
  tier: RiskTier;
  team: string;
  asset?: string;
  revision?: number;
  at: Date;
  /** Whether the classifier found it in CISA KEV; default: as the example (listed). */
  kev?: boolean;
  change?: ClassifiedFindingV1['lifecycle']['change'];
}): ClassifiedFindingV1 {
  const fingerprint = fingerprintOf(options.label);
  const at = options.at.toISOString();
  return {
    finding: {
      ...EXAMPLE_CLASSIFIED.finding,
      fingerprint,
      scanId: randomUUID(),
      title: `lodash prototype pollution (${options.label})`,
      component: {
        name: 'lodash',
        version: '4.17.15',
        purl: 'pkg:npm/lodash@4.17.15',
        ecosystem: 'npm',
        fixedVersions: ['4.17.21'],
      },
      asset: {
        id: options.asset ?? `${options.team}-api`,
        type: 'repository',
        environment: 'prod',
        team: options.team,
      },
      detectedAt: at,
    },
    classification: {
      ...EXAMPLE_CLASSIFIED.classification,
      tier: options.tier,
      classifiedAt: at,
      ...(options.kev !== undefined
        ? {
            factors: EXAMPLE_CLASSIFIED.classification.factors.map((factor) =>
              factor.name === 'kev' ? { ...factor, input: options.kev! } : factor,
            ),
          }
        : {}),
    },
    lifecycle: {
      state: 'open',
      change: options.change ?? ((options.revision ?? 1) === 1 ? 'new' : 'tier-changed'),
      firstSeenAt: at,
      lastSeenAt: at,
      revision: options.revision ?? 1,
    },
  };
}

/** An entry of another service's chain, as that service would put it on audit.log. */
export function foreignAuditEntry(
  chain: string,
  seq: number,
  prevHash: string,
  draft: Pick<AuditEntryV1, 'action' | 'entity' | 'details' | 'actor'>,
): AuditEntryV1 {
  const body = {
    chain,
    seq,
    id: randomUUID(),
    at: new Date().toISOString(),
    outcome: 'success' as const,
    prevHash: seq === 1 ? AUDIT_GENESIS_HASH : prevHash,
    ...draft,
  };
  return { ...body, hash: computeAuditHash(body) };
}
