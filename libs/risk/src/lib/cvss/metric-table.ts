import { CvssParseError } from './errors';

export interface MetricDefinition {
  readonly values: readonly string[];
  readonly mandatory: boolean;
}

/** The metrics one CVSS version allows in its vector string, with their legal values. */
export type MetricTable = Readonly<Record<string, MetricDefinition>>;

type ValueOf<D> = D extends { readonly values: readonly (infer V)[] } ? V : never;

/** A validated vector: all mandatory metrics, and the optional ones the vector had. */
export type ParsedMetrics<T extends MetricTable> = {
  readonly [K in keyof T as T[K]['mandatory'] extends true ? K : never]: ValueOf<T[K]>;
} & {
  readonly [K in keyof T as T[K]['mandatory'] extends true ? never : K]?: ValueOf<T[K]>;
};

export function mandatory<const V extends readonly string[]>(
  values: V,
): { values: V; mandatory: true } {
  return { values, mandatory: true };
}

export function optional<const V extends readonly string[]>(
  values: V,
): { values: V; mandatory: false } {
  return { values, mandatory: false };
}

/**
 * Reads `KEY:VALUE/KEY:VALUE...` against a metric table. Strict by design: an unknown or repeated
 * metric, an illegal value or a missing mandatory metric is an error naming the metric, because a
 * guessed score is worse than the reported severity the classifier falls back to. Metric order is
 * not enforced: the specifications define an order for writing vectors, and scanners that reorder
 * them still describe the same vulnerability.
 */
export function parseMetrics<T extends MetricTable>(
  vector: string,
  body: string,
  table: T,
  label: string,
): ParsedMetrics<T> {
  const found = new Map<string, string>();
  const components = body.split('/');
  components.forEach((component, index) => {
    if (component === '') {
      throw new CvssParseError(
        vector,
        'malformed',
        `${label} vector has an empty component at position ${index + 1} (a doubled or trailing "/")`,
      );
    }
    const parts = component.split(':');
    const [key, value] = parts;
    if (parts.length !== 2 || key === undefined || key === '' || value === undefined) {
      throw new CvssParseError(
        vector,
        'malformed',
        `${label} vector component "${component}" is not of the form METRIC:VALUE`,
      );
    }
    if (!Object.hasOwn(table, key)) {
      throw new CvssParseError(vector, 'unknown-metric', `${label} has no metric "${key}"`, key);
    }
    if (found.has(key)) {
      throw new CvssParseError(
        vector,
        'duplicate-metric',
        `${label} metric ${key} appears more than once`,
        key,
      );
    }
    const definition = table[key]!;
    if (!definition.values.includes(value)) {
      throw new CvssParseError(
        vector,
        'invalid-value',
        `${label} metric ${key} has value "${value}"; allowed: ${definition.values.join(', ')}`,
        key,
      );
    }
    found.set(key, value);
  });

  const missing = Object.entries(table)
    .filter(([key, definition]) => definition.mandatory && !found.has(key))
    .map(([key]) => key);
  const firstMissing = missing[0];
  if (firstMissing !== undefined) {
    throw new CvssParseError(
      vector,
      'missing-metric',
      `${label} vector lacks mandatory metric${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      firstMissing,
    );
  }
  // Every key and value was checked against the table above, which is what the type promises.
  return Object.fromEntries(found) as ParsedMetrics<T>;
}
