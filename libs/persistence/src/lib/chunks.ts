/**
 * Runs `run` on `items` `size` at a time, one after the other: a statement's IN or VALUES list
 * stays far below PostgreSQL's 65,535 bind parameters whatever the batch size.
 */
export async function forEachChunk<T>(
  items: readonly T[],
  size: number,
  run: (chunk: T[]) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await run(items.slice(i, i + size));
}
