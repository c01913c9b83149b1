import { Environment, Exposure, TeamName } from '@hum/contracts';
import { z } from 'zod';
import { AssetCatalogueError } from '../policy/config-error';
import { compileGlob, GLOB_PATTERN, type Glob } from '../policy/glob';
import { parseYamlConfig } from '@hum/config';
import { Criticality, DataSensitivity } from './asset-attributes';

const ATTRIBUTES = [
  'environment',
  'team',
  'owner',
  'exposure',
  'criticality',
  'dataSensitivity',
] as const;
export type CatalogueAttribute = (typeof ATTRIBUTES)[number];

export const AssetCatalogueEntry = z
  .strictObject({
    /** An asset id, or a pattern (`*` any run of characters, `?` one) covering several. */
    id: z
      .string()
      .min(1)
      .max(200)
      .regex(GLOB_PATTERN, 'letters, digits, ._:/@+=- and the wildcards * and ? only'),
    environment: Environment.optional(),
    team: TeamName.optional(),
    owner: z.string().min(1).max(200).optional(),
    exposure: Exposure.optional(),
    criticality: Criticality.optional(),
    dataSensitivity: DataSensitivity.optional(),
  })
  .refine((entry) => ATTRIBUTES.some((attribute) => entry[attribute] !== undefined), {
    message:
      'the entry gives no attribute (environment, team, owner, exposure, criticality, dataSensitivity)',
    path: ['id'],
  });
export type AssetCatalogueEntry = z.infer<typeof AssetCatalogueEntry>;

/** The asset catalogue file (YAML or JSON): what the CMDB knows about each asset. */
export const AssetCatalogueDocument = z
  .strictObject({
    /** Free text naming the export, e.g. `cmdb-2026-11-20`; reported with each classification. */
    version: z.string().min(1).max(100).optional(),
    assets: z.array(AssetCatalogueEntry).max(100_000),
  })
  .superRefine((catalogue, context) => {
    const seen = new Set<string>();
    catalogue.assets.forEach((entry, index) => {
      if (seen.has(entry.id)) {
        context.addIssue({
          code: 'custom',
          message: `asset "${entry.id}" is listed twice`,
          path: ['assets', index, 'id'],
        });
      }
      seen.add(entry.id);
    });
  });
export type AssetCatalogueDocument = z.infer<typeof AssetCatalogueDocument>;

/** An attribute value and the catalogue entry (id or pattern) it came from. */
export interface CatalogueValue<T> {
  readonly value: T;
  readonly entry: string;
}

export interface CatalogueMatch {
  /** Ids of the entries that matched, most specific first. */
  readonly entries: readonly string[];
  readonly environment?: CatalogueValue<Environment>;
  readonly team?: CatalogueValue<string>;
  readonly owner?: CatalogueValue<string>;
  readonly exposure?: CatalogueValue<Exposure>;
  readonly criticality?: CatalogueValue<Criticality>;
  readonly dataSensitivity?: CatalogueValue<DataSensitivity>;
}

export interface AssetCatalogue {
  readonly version: string | undefined;
  /** Number of entries, exact ids and patterns. */
  readonly size: number;
  /**
   * What the catalogue says about `assetId`. Each attribute comes from the most specific entry
   * that gives it: the exact id first, then patterns with more literal characters, then the
   * earlier entry in the file. So `payments-*` can set the team and `*-dev` the environment.
   */
  lookup(assetId: string): CatalogueMatch;
}

const NO_MATCH: CatalogueMatch = { entries: [] };
// Asset ids repeat across a scan's findings; bounded so that a stream of new ids cannot grow it.
const LOOKUP_CACHE_SIZE = 10_000;

/** Parses and validates an asset catalogue; errors name the line, column and field. */
export function parseAssetCatalogue(text: string, source = 'asset catalogue'): AssetCatalogue {
  const document = parseYamlConfig(
    text,
    AssetCatalogueDocument,
    (issues) => new AssetCatalogueError(source, issues),
  );
  return createAssetCatalogue(document);
}

/** Builds a catalogue from entries already validated against {@link AssetCatalogueDocument}. */
export function createAssetCatalogue(document: AssetCatalogueDocument): AssetCatalogue {
  const exact = new Map<string, AssetCatalogueEntry>();
  const patterns: { glob: Glob; entry: AssetCatalogueEntry }[] = [];
  for (const entry of document.assets) {
    const glob = compileGlob(entry.id);
    if (glob.isExact) exact.set(entry.id, entry);
    else patterns.push({ glob, entry });
  }
  // Array.prototype.sort is stable: equally specific patterns keep their file order.
  patterns.sort((a, b) => b.glob.literalLength - a.glob.literalLength);

  const cache = new Map<string, CatalogueMatch>();
  const compute = (assetId: string): CatalogueMatch => {
    const matched: AssetCatalogueEntry[] = [];
    const exactEntry = exact.get(assetId);
    if (exactEntry !== undefined) matched.push(exactEntry);
    for (const { glob, entry } of patterns) if (glob.matches(assetId)) matched.push(entry);
    return matched.length === 0 ? NO_MATCH : merge(matched);
  };

  return {
    version: document.version,
    size: document.assets.length,
    lookup: (assetId) => {
      const cached = cache.get(assetId);
      if (cached !== undefined) return cached;
      const match = compute(assetId);
      if (cache.size >= LOOKUP_CACHE_SIZE) {
        const oldest = cache.keys().next();
        if (oldest.done !== true) cache.delete(oldest.value);
      }
      cache.set(assetId, match);
      return match;
    },
  };
}

function merge(entries: readonly AssetCatalogueEntry[]): CatalogueMatch {
  const first = <K extends CatalogueAttribute>(
    attribute: K,
  ): CatalogueValue<NonNullable<AssetCatalogueEntry[K]>> | undefined => {
    for (const entry of entries) {
      const value = entry[attribute];
      if (value !== undefined)
        return { value: value as NonNullable<AssetCatalogueEntry[K]>, entry: entry.id };
    }
    return undefined;
  };
  return {
    entries: entries.map((entry) => entry.id),
    environment: first('environment'),
    team: first('team'),
    owner: first('owner'),
    exposure: first('exposure'),
    criticality: first('criticality'),
    dataSensitivity: first('dataSensitivity'),
  };
}
