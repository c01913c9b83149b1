import type { CvssVector } from '@hum/contracts';
import type { JsonFields } from '../../core/json-fields';
import { parseCvssVector } from '../../core/normalize';

/**
 * OWASP Dependency-Check writes CVSS as separate properties (`cvssv3_attackVector: "NETWORK"`
 * or `"N"`, ...) rather than a vector string. The first letter of each value is the vector's
 * abbreviation in both spellings, so the vector can be rebuilt exactly.
 */
const V3_METRICS = [
  ['AV', 'cvssv3_attackVector'],
  ['AC', 'cvssv3_attackComplexity'],
  ['PR', 'cvssv3_privilegesRequired'],
  ['UI', 'cvssv3_userInteraction'],
  ['S', 'cvssv3_scope'],
  ['C', 'cvssv3_confidentialityImpact'],
  ['I', 'cvssv3_integrityImpact'],
  ['A', 'cvssv3_availabilityImpact'],
] as const;

// Dependency-Check 6 spells the authentication metric `cvssv2_authenticationr`.
const V2_METRICS = [
  ['AV', ['cvssv2_accessVector']],
  ['AC', ['cvssv2_accessComplexity']],
  ['Au', ['cvssv2_authentication', 'cvssv2_authenticationr']],
  ['C', ['cvssv2_confidentialImpact', 'cvssv2_confidentialityImpact']],
  ['I', ['cvssv2_integrityImpact']],
  ['A', ['cvssv2_availabilityImpact']],
] as const;

function letter(properties: JsonFields, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = properties.looseText(key);
    if (value !== undefined) return value.trim().charAt(0).toUpperCase();
  }
  return undefined;
}

function rebuildV3(properties: JsonFields): CvssVector | undefined {
  const parts: string[] = [];
  for (const [metric, key] of V3_METRICS) {
    const value = letter(properties, [key]);
    if (value === undefined) return undefined;
    parts.push(`${metric}:${value}`);
  }
  const version = properties.looseText('cvssv3_version') === '3.0' ? '3.0' : '3.1';
  const score = Number(properties.looseText('cvssv3_baseScore'));
  return parseCvssVector(`CVSS:${version}/${parts.join('/')}`, {
    ...(Number.isFinite(score) ? { reportedScore: score } : {}),
    ...(properties.looseText('source') ? { source: properties.looseText('source')! } : {}),
  });
}

function rebuildV2(properties: JsonFields): CvssVector | undefined {
  const parts: string[] = [];
  for (const [metric, keys] of V2_METRICS) {
    const value = letter(properties, keys);
    if (value === undefined) return undefined;
    // Au uses M/S/N (MULTIPLE/SINGLE/NONE); the first letters are exactly those.
    parts.push(`${metric}:${value}`);
  }
  const score = Number(properties.looseText('cvssv2_score'));
  return parseCvssVector(parts.join('/'), {
    ...(Number.isFinite(score) ? { reportedScore: score } : {}),
    ...(properties.looseText('source') ? { source: properties.looseText('source')! } : {}),
  });
}

/**
 * CVSS vectors found in a SARIF property bag: vector strings under any key that names CVSS
 * (`cvssv4_vector`, `cvssV3`, ...), and Dependency-Check's metric-per-property form.
 */
export function cvssFromProperties(properties: JsonFields | undefined): CvssVector[] {
  if (properties === undefined) return [];
  const out: CvssVector[] = [];
  const seen = new Set<string>();
  const add = (vector: CvssVector | undefined): void => {
    if (vector === undefined || seen.has(vector.vector) || out.length >= 10) return;
    seen.add(vector.vector);
    out.push(vector);
  };
  for (const key of Object.keys(properties.value)) {
    if (!/cvss/i.test(key)) continue;
    const value = properties.raw(key);
    if (typeof value !== 'string' || !value.includes(':')) continue;
    const scoreKey = key.replace(/vector$/i, 'baseScore');
    const score = Number(properties.raw(scoreKey));
    add(
      parseCvssVector(value, {
        ...(scoreKey !== key && Number.isFinite(score) ? { reportedScore: score } : {}),
        ...(properties.looseText('source') ? { source: properties.looseText('source')! } : {}),
      }),
    );
  }
  if (properties.has('cvssv3_attackVector')) add(rebuildV3(properties));
  if (properties.has('cvssv2_accessVector')) add(rebuildV2(properties));
  return out;
}
