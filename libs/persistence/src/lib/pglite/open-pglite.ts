import { mkdirSync } from 'node:fs';
import { describeError } from '@hum/common';
import { PGlite, types } from '@electric-sql/pglite';
import { DatabaseConnectionError } from '../errors';

export const IN_MEMORY = 'memory://';

/**
 * Opens (creating on first use) the embedded database in `dataDir`, or in memory for
 * `memory://`, with the session already in the service's schema.
 */
export async function openPGlite(dataDir: string, schema: string): Promise<PGlite> {
  try {
    if (dataDir !== IN_MEMORY) mkdirSync(dataDir, { recursive: true });
    const pglite = await PGlite.create(dataDir, {
      // node-postgres returns int8 as a string (no precision loss past 2^53); PGlite would
      // return a number or a bigint depending on size. Code must see one type on both.
      parsers: { [types.INT8]: (value: string) => value },
    });
    await pglite.exec(`set search_path to ${schema}`);
    return pglite;
  } catch (error) {
    throw new DatabaseConnectionError(
      `cannot open the embedded PGlite database in ${dataDir}: ${describeError(error)}`,
      `pglite:${dataDir}`,
      1,
      { cause: error },
    );
  }
}
