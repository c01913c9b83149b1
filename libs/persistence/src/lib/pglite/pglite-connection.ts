import type { PGlite, Results } from '@electric-sql/pglite';
import { PermanentError } from '@hum/common';
import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';

const ROW_COUNTING_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/** The one session of a PGlite instance, as kysely sees a connection. */
export class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pglite: PGlite) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.run<R>(compiledQuery);
    const command = result.command?.toUpperCase();
    // kysely's Postgres driver reports these so commitTransaction can see a COMMIT that
    // PostgreSQL turned into a ROLLBACK; keep the same contract.
    if (command === 'COMMIT' || command === 'ROLLBACK') {
      return { rows: [{ command } as R] };
    }
    return {
      rows: result.rows,
      numAffectedRows:
        command !== undefined && ROW_COUNTING_COMMANDS.has(command)
          ? BigInt(result.rowCount ?? result.affectedRows ?? 0)
          : undefined,
    };
  }

  // eslint-disable-next-line require-yield -- kysely's interface wants a generator; this one refuses.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    // Production PostgreSQL has no cursor support configured (pg-cursor is not installed), so
    // streaming there fails; failing here too keeps code written against PGlite portable.
    throw new PermanentError(
      'streaming queries is not supported by hum persistence; page with limit',
    );
  }

  private async run<R>(compiledQuery: CompiledQuery): Promise<Results<R>> {
    if (compiledQuery.parameters.length > 0) {
      return this.pglite.query<R>(compiledQuery.sql, [...compiledQuery.parameters]);
    }
    // Like node-postgres, a query without parameters goes over the simple protocol, so a
    // migration may hold several statements on both engines.
    const results = await this.pglite.exec(compiledQuery.sql);
    const last = results[results.length - 1];
    return (last ?? { rows: [], fields: [] }) as Results<R>;
  }
}
