import { createHash } from 'node:crypto';
import {
  type ClassifiedFindingV1,
  EXAMPLE_CLASSIFIED,
  type RiskTier,
  TOPICS,
} from '@hum/contracts';
import type { InboundEvent } from '@hum/kafka';
import { parsePatchingConfig, type PatchingConfig } from '@hum/patching';

/**
 * Spec support for the auto-patcher (outside src/, so the build never ships it): findings the
 * shared `patcher.yaml` of the specs can patch — an npm component of the payments repository
 * with a fix version, so the github-pr rule plans `<fingerprint>:1.0.1` for it.
 */

export interface PatchableFindingOptions {
  /** The risk tier it was classified in; `low` unless said. */
  tier?: RiskTier;
  /** Fields of the payments repository to replace (another team, another asset type...). */
  asset?: Partial<ClassifiedFindingV1['finding']['asset']>;
  /** Hashed into the fingerprint; the label unless a spec needs it unique across runs. */
  fingerprintSeed?: string;
}

export type ClassifiedEvent = InboundEvent<typeof TOPICS.findingsClassified.schema>;

/** A classified finding on the npm package `label`, fixed in 1.0.1. */
export function patchableFinding(
  label: string,
  options: PatchableFindingOptions = {},
): ClassifiedFindingV1 {
  return {
    ...EXAMPLE_CLASSIFIED,
    finding: {
      ...EXAMPLE_CLASSIFIED.finding,
      fingerprint: createHash('sha256')
        .update(options.fingerprintSeed ?? label)
        .digest('hex'),
      asset: {
        id: 'github.com/bank/payments-api',
        type: 'repository',
        team: 'payments',
        repository: 'https://github.example.test/bank/payments-api',
        ...options.asset,
      },
      component: {
        name: label,
        version: '1.0.0',
        ecosystem: 'npm',
        fixedVersions: ['1.0.1'],
        path: 'package.json',
      },
    },
    classification: { ...EXAMPLE_CLASSIFIED.classification, tier: options.tier ?? 'low' },
  };
}

/** The finding as the patcher's consumer receives it from findings.classified. */
export function classifiedEvent(
  data: ClassifiedFindingV1,
  delivery: { id: string; offset: number; source?: string; time?: Date },
): ClassifiedEvent {
  return {
    key: data.finding.fingerprint,
    data,
    metadata: {
      id: delivery.id,
      source: delivery.source ?? '/spec',
      type: TOPICS.findingsClassified.eventType,
      time: (delivery.time ?? new Date()).toISOString(),
    },
    partition: 0,
    offset: String(delivery.offset),
  };
}

/** Patching config for decisions only: the github-pr rule for repositories, no live GitHub. */
export function githubPrPatching(): PatchingConfig {
  return parsePatchingConfig(`version: 1
github:
  - name: github
    apiUrl: https://api.github.example.test
    webUrl: https://github.example.test
    token: GITHUB_TOKEN
rules:
  - when: { assetTypes: [repository] }
    use: github-pr
    target: github
`);
}
