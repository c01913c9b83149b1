import { parsePostgresUrl, withSearchPath } from './postgres-target';

describe('parsePostgresUrl', () => {
  it('names host, port and database and masks the password', () => {
    expect(
      parsePostgresUrl('postgres://hum:p%40ss@db.internal:6543/hum_prod?sslmode=require'),
    ).toEqual({
      host: 'db.internal',
      port: '6543',
      database: 'hum_prod',
      masked: 'postgres://hum:***@db.internal:6543/hum_prod?sslmode=require',
      password: 'p@ss',
    });
  });

  it('fills in what libpq would: port 5432, database named like the user', () => {
    const target = parsePostgresUrl('postgresql://app@db');
    expect(target).toMatchObject({
      host: 'db',
      port: '5432',
      database: 'app',
      password: undefined,
    });
  });
});

describe('withSearchPath', () => {
  it('adds the schema to the startup options, keeping options already there', () => {
    const plain = new URL(withSearchPath('postgres://u@h/db', 'tickets'));
    expect(plain.searchParams.get('options')).toBe('-c search_path=tickets');
    const existing = new URL(
      withSearchPath(
        'postgres://u@h/db?options=-c%20statement_timeout%3D5000&sslmode=disable',
        'tickets',
      ),
    );
    expect(existing.searchParams.get('options')).toBe(
      '-c statement_timeout=5000 -c search_path=tickets',
    );
    expect(existing.searchParams.get('sslmode')).toBe('disable');
  });
});
