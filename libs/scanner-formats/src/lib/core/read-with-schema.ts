import type { z } from 'zod';
import { ReportParseError } from './errors';
import { pointerTo } from './json-pointer';
import type { FormatId } from './types';

/**
 * Validates one part of a report against a schema of the fields a parser reads; the first
 * problem becomes a ReportParseError pointing at the offending field.
 */
export function readWithSchema<S extends z.ZodType>(
  schema: S,
  value: unknown,
  format: FormatId,
  pointer: string,
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  let at = pointer;
  for (const segment of issue.path) {
    at = pointerTo(at, typeof segment === 'number' ? segment : String(segment));
  }
  throw new ReportParseError(format, issue.message, { pointer: at });
}
