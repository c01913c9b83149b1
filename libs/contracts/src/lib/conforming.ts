import type { z } from 'zod';

/**
 * Objects checked against a contract with a check that gives the schema's verdict (zod, or
 * the straight-line checks of decodeEvent and parseReport, held to zod's verdict by their
 * specs), each with the schema it satisfies. Keyed by identity: only that object, unchanged
 * since, is spared a second check on the way out.
 */
const conforming = new WeakMap<object, { schema: z.ZodType; json: string | undefined }>();

/**
 * Records that `data` satisfies `schema`, so that encodeEvent takes it as checked, and, when
 * the builder has it already, `JSON.stringify(data)` for encodeEvent to send as it is. Call it
 * only right after such a check, on an object nobody changes afterwards.
 */
export function markConforming(schema: z.ZodType, data: object, json?: string): void {
  conforming.set(data, { schema, json });
}

/** `data`'s mark for exactly `schema`, with its JSON if the marker gave it. */
export function conformingMark(
  schema: z.ZodType,
  data: unknown,
): { json: string | undefined } | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const mark = conforming.get(data);
  return mark?.schema === schema ? mark : undefined;
}
