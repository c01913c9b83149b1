import type { CvssVector } from '@hum/contracts';
import { finiteNumber, isJsonObject, text } from '../../core/json-value';
import { parseCvssVector } from '../../core/normalize';

/**
 * npm names advisories by number (v1 `id`, v2 `source`); hum spells them `npm-advisory-<n>` so
 * they read as ids. Anything but a number or non-empty string is no advisory number.
 */
export function npmAdvisoryId(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return `npm-advisory-${value}`;
  const id = text(value);
  return id === undefined ? undefined : `npm-advisory-${id}`;
}

/** npm's `cvss: { score, vectorString }` (both report versions); score 0 / null vector = none. */
export function npmCvss(cvss: unknown): CvssVector[] {
  if (!isJsonObject(cvss)) return [];
  const vector = parseCvssVector(text(cvss['vectorString']), {
    reportedScore: finiteNumber(cvss['score']),
  });
  return vector === undefined ? [] : [vector];
}
