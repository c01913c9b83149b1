export * from './lib/cvss/errors';
export * from './lib/cvss/types';
export { type CvssSeverity, qualitativeSeverity, nvdV2Severity } from './lib/cvss/severity';
export { parseCvss2, cvss2BaseScore, scoreCvss2 } from './lib/cvss/cvss2';
export { parseCvss3, cvss3BaseScore, scoreCvss3 } from './lib/cvss/cvss3';
export { parseCvss4, cvss4Score, scoreCvss4 } from './lib/cvss/cvss4';
export { scoreCvssVector } from './lib/cvss/score-vector';
export * from './lib/intel/errors';
export {
  type KevEntry,
  type KevCatalog,
  type RansomwareCampaignUse,
  parseKevCatalog,
  createKevCatalog,
} from './lib/intel/kev';
export { type EpssScore, type EpssScores, parseEpssCsv, createEpssScores } from './lib/intel/epss';
export * from './lib/intel/snapshot';
export * from './lib/intel/diff';
export * from './lib/intel/bundled';
export * from './lib/policy/config-error';
export { type Glob, compileGlob } from './lib/policy/glob';
export {
  RiskPolicyDocument,
  POLICY_VERSION_PATTERN,
  type ScoringWeights,
  type OverrideMatch,
  type OverrideDefinition,
} from './lib/policy/policy-schema';
export {
  type OverrideSubject,
  type OverrideAction,
  type CompiledOverride,
  describeAction,
} from './lib/policy/overrides';
export {
  type RiskPolicy,
  type RiskWeights,
  type ScoreBand,
  parseRiskPolicy,
  bandPoints,
} from './lib/policy/risk-policy';
export { type TierThresholds, tierForScore, tierRank, isMoreSevere } from './lib/policy/tiers';
export { BUNDLED_RISK_POLICY_FILE } from './lib/policy/bundled';
export * from './lib/assets/asset-attributes';
export {
  type CatalogueAttribute,
  type CatalogueMatch,
  type CatalogueValue,
  type AssetCatalogue,
  AssetCatalogueEntry,
  AssetCatalogueDocument,
  parseAssetCatalogue,
  createAssetCatalogue,
} from './lib/assets/asset-catalogue';
export {
  type Sourced,
  type ResolvedAsset,
  resolveAsset,
  describeSource,
} from './lib/assets/resolve-asset';
export {
  type Classification,
  type ClassifyOptions,
  classifyFinding,
} from './lib/scoring/classify-finding';
export { reclassificationTargets, intelDiffOptions } from './lib/scoring/reclassification';
export * from './lib/lifecycle/finding-lifecycle';
export * from './lib/bundled-data';
