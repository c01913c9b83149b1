/**
 * JSON with every object's keys sorted: equal for equal data whatever the key order, and
 * whatever realm built the objects (jest's sandbox or zod's output).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}
