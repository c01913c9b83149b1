import { assertSchemaName } from './schema-name';

describe('assertSchemaName', () => {
  it.each(['tickets', 'ticket_dispatcher', '_private', 'a1'])('accepts %s', (name) => {
    expect(() => assertSchemaName(name)).not.toThrow();
  });

  it.each([
    'Tickets',
    '1tickets',
    'ticket-dispatcher',
    'pg_tickets',
    '',
    'a"; drop',
    'x'.repeat(64),
  ])('rejects %j', (name) => {
    expect(() => assertSchemaName(name)).toThrow(/invalid schema name/);
  });
});
