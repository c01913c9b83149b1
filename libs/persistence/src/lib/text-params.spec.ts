import { sql } from 'kysely';
import { type SpecDatabase, specEngines } from '../testing/postgres-under-test';
import { MAX_TEXT_PARAMS, textParams } from './text-params';

// Documents as PostgreSQL gets them in the classifier's upsert and the consumer ledger: every
// character kept, on both engines, zipped in order with the JSON parameter's rows.
const DOCUMENTS = [
  '',
  '{"title":"a \\"quoted\\" title","path":"C:\\\\app\\\\x.jar"}',
  'line one\nline two\ttabbed',
  "it's {braces}, [brackets], commas, and 'quotes'",
  'caf\u00e9 \u2603 \u{1f600} \u0430\u0431\u0432',
  'x'.repeat(100_000),
];

const engines = specEngines<object>();

describe.each(engines)('textParams on %s', (_kind, open) => {
  let opened: SpecDatabase<object>;
  beforeAll(async () => {
    opened = await open('text_params');
  });
  afterAll(async () => {
    await opened.cleanup();
  });

  it('hands every document over as it is, in order, beside the rows of a JSON parameter', async () => {
    const rows = DOCUMENTS.map((_, i) => ({ n: i }));
    const { rows: read } = await sql<{ n: number; doc: string }>`
      select r.n, r.doc
      from rows from (
        json_to_recordset(${JSON.stringify(rows)}::json) as (n integer),
        unnest(${textParams(DOCUMENTS)})
      ) as r(n, doc)`.execute(opened.database.db);
    expect(read).toEqual(DOCUMENTS.map((doc, n) => ({ n, doc })));
  });

  it('takes no documents as an empty array', async () => {
    const { rows } = await sql<{ count: string }>`
      select count(*)::text as count from unnest(${textParams([])})`.execute(opened.database.db);
    expect(rows).toEqual([{ count: '0' }]);
  });
});

describe('textParams', () => {
  it('refuses more parameters than one statement may carry, saying how many', () => {
    const many = Array.from({ length: MAX_TEXT_PARAMS + 1 }, () => 'x');
    expect(() => textParams(many)).toThrow(
      /30001 text parameters in one statement \(at most 30000\)/,
    );
    expect(() => textParams(many.slice(1))).not.toThrow();
  });
});
