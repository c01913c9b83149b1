import type { z } from 'zod';
import { Refused } from './refusal';

function pointer(path: readonly PropertyKey[]): string {
  return `/${path.map((segment) => String(segment).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

/**
 * Validates a request body (or query) against its schema; every problem is named by a JSON
 * pointer, e.g. `/change/tier: Invalid option: expected one of "critical"|"high"|...`.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where: 'body' | 'query' = 'body',
): z.output<S> {
  const parsed = schema.safeParse(input ?? (where === 'body' ? undefined : {}));
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues
    .slice(0, 20)
    .map((issue) =>
      where === 'body'
        ? { pointer: pointer(issue.path), detail: issue.message }
        : { parameter: String(issue.path[0] ?? '(query)'), detail: issue.message },
    );
  const detail = errors
    .map((e) => `${'pointer' in e ? e.pointer : e.parameter}: ${e.detail}`)
    .join('; ');
  throw new Refused('invalid-request', detail || `the ${where} is missing`, errors);
}

/** For reads: bad input is answered 400 straight away (reads are not audited). */
export function parseQuery<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where: 'body' | 'query' = 'query',
): z.output<S> {
  try {
    return parseInput(schema, input, where);
  } catch (error) {
    if (error instanceof Refused) throw error.toProblem();
    throw error;
  }
}
