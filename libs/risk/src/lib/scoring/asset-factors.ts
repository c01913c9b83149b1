import type { ResolvedAsset, Sourced } from '../assets/resolve-asset';
import { describeSource } from '../assets/resolve-asset';
import type { RiskWeights } from '../policy/risk-policy';
import { factor, type ScoredFactor } from './factor';

type WeightTable<K extends string> = Readonly<Record<K | 'unknown', number>>;

/** `environment`, `exposure`, `criticality`, `dataSensitivity`, and `asset` for provenance. */
export function assetFactors(asset: ResolvedAsset, weights: RiskWeights): ScoredFactor[] {
  return [
    attributeFactor('environment', asset.environment, weights.environment),
    attributeFactor('exposure', asset.exposure, weights.exposure),
    attributeFactor('criticality', asset.criticality, weights.criticality),
    attributeFactor('dataSensitivity', asset.dataSensitivity, weights.dataSensitivity),
    provenanceFactor(asset),
  ];
}

function attributeFactor<K extends string>(
  name: string,
  attribute: Sourced<K>,
  weights: WeightTable<K>,
): ScoredFactor {
  if (attribute.value === undefined) {
    return factor(
      name,
      null,
      weights.unknown,
      `${name} ${describeSource(attribute)}: the policy's weight for unknown applies`,
    );
  }
  return factor(
    name,
    attribute.value,
    weights[attribute.value],
    `${attribute.value}, ${describeSource(attribute)}`,
  );
}

/** Adds nothing: says which catalogue entries matched and where team and owner came from. */
function provenanceFactor(asset: ResolvedAsset): ScoredFactor {
  const entries =
    asset.catalogueEntries.length === 0
      ? 'no asset catalogue entry matches'
      : `asset catalogue entries ${asset.catalogueEntries.join(', ')}` +
        (asset.catalogueVersion === undefined ? '' : ` (catalogue ${asset.catalogueVersion})`);
  const team =
    asset.team.value === undefined
      ? 'team unknown'
      : `team ${asset.team.value} ${describeSource(asset.team)}`;
  const owner =
    asset.owner.value === undefined
      ? 'owner unknown'
      : `owner ${asset.owner.value} ${describeSource(asset.owner)}`;
  return factor('asset', asset.id, 0, `${entries}; ${team}; ${owner}`);
}
