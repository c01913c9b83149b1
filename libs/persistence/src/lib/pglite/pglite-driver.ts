import type { PGlite } from '@electric-sql/pglite';
import {
  AbortedTransactionError,
  CompiledQuery,
  createQueryId,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  sql,
  type TransactionSettings,
} from 'kysely';
import { ConnectionMutex } from './connection-mutex';
import { PGliteConnection } from './pglite-connection';

/**
 * kysely driver over one PGlite instance, which it owns and closes. PGlite is a single
 * session, so a connection is handed to one caller at a time: a transaction holds it from
 * BEGIN to COMMIT/ROLLBACK and every other query waits. Consequently a transaction callback
 * must use its `trx`, never the outer `db` (that would wait for itself).
 */
export class PGliteDriver implements Driver {
  readonly #connection: PGliteConnection;
  readonly #mutex = new ConnectionMutex();
  #release: (() => void) | undefined;

  constructor(private readonly pglite: PGlite) {
    this.#connection = new PGliteConnection(pglite);
  }

  async init(): Promise<void> {
    await this.pglite.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    this.#release = await this.#mutex.lock();
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  async beginTransaction(
    connection: DatabaseConnection,
    settings: TransactionSettings,
  ): Promise<void> {
    let statement = 'start transaction';
    if (settings.isolationLevel) statement += ` isolation level ${settings.isolationLevel}`;
    if (settings.accessMode) statement += ` ${settings.accessMode}`;
    await connection.executeQuery(CompiledQuery.raw(statement));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const { rows } = await connection.executeQuery<{ command?: string }>(
      CompiledQuery.raw('commit'),
    );
    // PostgreSQL answers COMMIT with ROLLBACK when an earlier statement failed.
    if (rows[0]?.command === 'ROLLBACK') throw new AbortedTransactionError();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.savepointCommand(connection, sql`savepoint ${sql.id(name)}`, compileQuery);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.savepointCommand(connection, sql`rollback to ${sql.id(name)}`, compileQuery);
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.savepointCommand(connection, sql`release ${sql.id(name)}`, compileQuery);
  }

  /** Waits for whoever holds the session (e.g. a transaction finishing), then closes. */
  async destroy(): Promise<void> {
    const release = await this.#mutex.lock();
    try {
      if (!this.pglite.closed) await this.pglite.close();
    } finally {
      release();
    }
  }

  private async savepointCommand(
    connection: DatabaseConnection,
    command: ReturnType<typeof sql>,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await connection.executeQuery(compileQuery(command.toOperationNode(), createQueryId()));
  }
}
