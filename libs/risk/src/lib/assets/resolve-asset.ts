import type { AssetRef, AssetType, Environment, Exposure } from '@hum/contracts';
import type { Criticality, DataSensitivity } from './asset-attributes';
import type { AssetCatalogue, CatalogueValue } from './asset-catalogue';

/** One asset attribute and where it came from. */
export type Sourced<T> =
  | {
      readonly from: 'catalogue';
      readonly value: T;
      /** The catalogue entry (id or pattern) that gave it. */
      readonly entry: string;
      /** What the scan said, when it said something else: the catalogue won. */
      readonly scanSaid?: T;
    }
  | { readonly from: 'scan'; readonly value: T }
  | { readonly from: 'unknown'; readonly value: undefined };

/** An asset as the scoring engine sees it: the catalogue's word first, the scan's for the gaps. */
export interface ResolvedAsset {
  readonly id: string;
  readonly type: AssetType;
  readonly environment: Sourced<Environment>;
  readonly exposure: Sourced<Exposure>;
  readonly team: Sourced<string>;
  readonly owner: Sourced<string>;
  /** Only the catalogue knows these: scans do not report them. */
  readonly criticality: Sourced<Criticality>;
  readonly dataSensitivity: Sourced<DataSensitivity>;
  /** Ids of the catalogue entries that matched, most specific first. */
  readonly catalogueEntries: readonly string[];
  readonly catalogueVersion: string | undefined;
}

const UNKNOWN = { from: 'unknown', value: undefined } as const;

/**
 * Merges what the asset catalogue says about the finding's asset with what the scan said: the
 * catalogue wins (it is the system of record for environment, exposure and ownership; a
 * pipeline's label can be stale or copied), the scan fills the gaps, and each attribute keeps
 * where it came from so the classification can say so.
 */
export function resolveAsset(asset: AssetRef, catalogue?: AssetCatalogue): ResolvedAsset {
  const match = catalogue?.lookup(asset.id);
  return {
    id: asset.id,
    type: asset.type,
    environment: pick(match?.environment, asset.environment),
    exposure: pick(match?.exposure, asset.exposure),
    team: pick(match?.team, asset.team),
    owner: pick(match?.owner, asset.owner),
    criticality: pick(match?.criticality, undefined),
    dataSensitivity: pick(match?.dataSensitivity, undefined),
    catalogueEntries: match?.entries ?? [],
    catalogueVersion: catalogue?.version,
  };
}

function pick<T>(
  fromCatalogue: CatalogueValue<T> | undefined,
  fromScan: T | undefined,
): Sourced<T> {
  if (fromCatalogue !== undefined) {
    return fromScan === undefined || fromScan === fromCatalogue.value
      ? { from: 'catalogue', value: fromCatalogue.value, entry: fromCatalogue.entry }
      : {
          from: 'catalogue',
          value: fromCatalogue.value,
          entry: fromCatalogue.entry,
          scanSaid: fromScan,
        };
  }
  return fromScan === undefined ? UNKNOWN : { from: 'scan', value: fromScan };
}

/** "from the asset catalogue (entry payments-*; the scan said staging)", for factor notes. */
export function describeSource<T>(attribute: Sourced<T>): string {
  switch (attribute.from) {
    case 'catalogue': {
      const disagreement =
        attribute.scanSaid === undefined ? '' : `; the scan said ${String(attribute.scanSaid)}`;
      return `from the asset catalogue (entry ${attribute.entry}${disagreement})`;
    }
    case 'scan':
      return 'from the scan';
    case 'unknown':
      return 'unknown to the asset catalogue and the scan';
  }
}
