import { matchesQuery, parseEncodedQuery } from './encoded-query';

const columns = new Set([
  'correlation_id',
  'active',
  'state',
  'priority',
  'short_description',
  'sys_created_on',
]);
const lenient = { columns, invalidQueryReturnsNoRows: false };
const strict = { columns, invalidQueryReturnsNoRows: true };

const record = {
  correlation_id: 'hum:group-1',
  active: 'true',
  state: '2',
  priority: '3',
  short_description: 'CVE-2024-0003 in nginx',
  sys_created_on: '2026-01-02 10:00:00',
};

const matches = (query: string, evaluation = lenient) =>
  matchesQuery(parseEncodedQuery(query), record, evaluation);

describe('ServiceNow encoded queries', () => {
  it('ANDs terms joined by ^', () => {
    expect(matches('correlation_id=hum:group-1^active=true')).toBe(true);
    expect(matches('correlation_id=hum:group-1^active=false')).toBe(false);
  });

  it('binds ^OR tighter than ^, and ORs ^NQ alternatives', () => {
    expect(matches('active=false^ORstate=2')).toBe(true);
    expect(matches('correlation_id=other^state=1^ORstate=2')).toBe(false);
    expect(matches('correlation_id=other^NQstate=2')).toBe(true);
  });

  it('supports the usual operators', () => {
    expect(matches('stateIN1,2,3')).toBe(true);
    expect(matches('stateNOT IN6,7,8')).toBe(true);
    expect(matches('short_descriptionLIKEnginx')).toBe(true);
    expect(matches('short_descriptionNOT LIKEnginx')).toBe(false);
    expect(matches('short_descriptionSTARTSWITHCVE')).toBe(true);
    expect(matches('priority<=3^priority>1')).toBe(true);
    expect(matches('priority>=4')).toBe(false);
    expect(matches('sys_created_on>2026-01-01 00:00:00')).toBe(true);
    expect(matches('correlation_idISNOTEMPTY')).toBe(true);
    expect(matches('correlation_idISEMPTY')).toBe(false);
    expect(matches('state!=7')).toBe(true);
  });

  it('collects ORDERBY and ORDERBYDESC', () => {
    expect(
      parseEncodedQuery('active=true^ORDERBYpriority^ORDERBYDESCsys_created_on').orderBy,
    ).toEqual([
      { field: 'priority', descending: false },
      { field: 'sys_created_on', descending: true },
    ]);
  });

  it('ignores a condition on an unknown field by default, and matches nothing when configured', () => {
    expect(matches('correlation_idx=nope')).toBe(true);
    expect(matches('correlation_idx=nope', strict)).toBe(false);
  });
});
