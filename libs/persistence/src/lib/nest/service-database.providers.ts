import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { HealthCheckRegistry } from '@hum/observability';
import { createDatabase, type Database, type DatabaseOptions } from '../create-database';
import type { Migrations } from '../migrations';

/** The service's one database handle; services alias it under their own tokens. */
export const SERVICE_DATABASE = Symbol('hum.persistence.service-database');

@Injectable()
class ServiceDatabaseLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(SERVICE_DATABASE) private readonly database: Database<unknown>,
    health: HealthCheckRegistry,
  ) {
    health.register({
      name: 'database',
      check: async () => {
        await database.ping();
        return { kind: database.kind };
      },
    });
  }

  onApplicationShutdown(): Promise<void> {
    return this.database.close();
  }
}

export interface ServiceDatabaseOptions {
  connection: DatabaseOptions;
  /** Applied at start, before anything reads the database. */
  migrations: Migrations;
  /** The service's tokens for the handle (ping, close, kind) and for its Kysely instance. */
  provide: { database: symbol; db: symbol };
}

/**
 * A service's database: opened and migrated at start, its Kysely instance injectable, a
 * `database` health check, and closed on shutdown — the same way in every service.
 */
export function serviceDatabaseProviders(options: ServiceDatabaseOptions): Provider[] {
  return [
    {
      provide: SERVICE_DATABASE,
      useFactory: async () => {
        const database = await createDatabase<unknown>(options.connection);
        await database.migrate(options.migrations);
        return database;
      },
    },
    { provide: options.provide.database, useExisting: SERVICE_DATABASE },
    {
      provide: options.provide.db,
      inject: [SERVICE_DATABASE],
      useFactory: (database: Database<unknown>) => database.db,
    },
    ServiceDatabaseLifecycle,
  ];
}
