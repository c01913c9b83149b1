import { isForeignSchemaDropped } from './migrations';

describe('isForeignSchemaDropped (a concurrent DROP SCHEMA elsewhere, worth another attempt)', () => {
  const dropped = (schema: string) =>
    Object.assign(new Error(`schema "${schema}" does not exist`), { code: '3F000' });

  it('is another schema vanishing while kysely lists every schema’s tables', () => {
    expect(isForeignSchemaDropped(dropped('test_policy_console_d8'), 'patcher')).toBe(true);
  });

  it('is not our own schema missing, nor any other error', () => {
    expect(isForeignSchemaDropped(dropped('patcher'), 'patcher')).toBe(false);
    expect(
      isForeignSchemaDropped(
        Object.assign(new Error('relation "x" does not exist'), { code: '42P01' }),
        'patcher',
      ),
    ).toBe(false);
    expect(isForeignSchemaDropped(new Error('schema "x" does not exist'), 'patcher')).toBe(false);
    expect(isForeignSchemaDropped(undefined, 'patcher')).toBe(false);
  });
});
