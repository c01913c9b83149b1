import { PermanentError } from '@hum/common';
import { AssetCatalogueError } from '../policy/config-error';
import { createAssetCatalogue, parseAssetCatalogue } from './asset-catalogue';

const CATALOGUE = `# exported from the CMDB
version: cmdb-2026-11-20
assets:
  - id: payments-api
    environment: prod
    exposure: internet
    criticality: critical
    dataSensitivity: restricted
  - id: "payments-*"
    team: payments
    owner: payments-oncall@bank.example
    criticality: high
  - id: "*-dev"
    environment: dev
    exposure: internal
  - id: "pay*"
    team: treasury
    dataSensitivity: confidential
`;

function issuesOf(text: string) {
  try {
    parseAssetCatalogue(text, 'assets.yaml');
  } catch (error) {
    if (error instanceof AssetCatalogueError) return error.issues;
    throw error;
  }
  throw new Error('the catalogue was accepted');
}

describe('asset catalogue', () => {
  const catalogue = parseAssetCatalogue(CATALOGUE);

  it('reads the entries and the version', () => {
    expect(catalogue.version).toBe('cmdb-2026-11-20');
    expect(catalogue.size).toBe(4);
  });

  it('gives an exact entry precedence over patterns, attribute by attribute', () => {
    expect(catalogue.lookup('payments-api')).toEqual({
      entries: ['payments-api', 'payments-*', 'pay*'],
      environment: { value: 'prod', entry: 'payments-api' },
      exposure: { value: 'internet', entry: 'payments-api' },
      criticality: { value: 'critical', entry: 'payments-api' },
      dataSensitivity: { value: 'restricted', entry: 'payments-api' },
      // Not in the exact entry: the most specific pattern that gives it.
      team: { value: 'payments', entry: 'payments-*' },
      owner: { value: 'payments-oncall@bank.example', entry: 'payments-*' },
    });
  });

  it('prefers the pattern with more literal characters, whatever the file order', () => {
    // payments-* (9 literal characters) before *-dev (4) before pay* (3).
    expect(catalogue.lookup('payments-dev')).toMatchObject({
      entries: ['payments-*', '*-dev', 'pay*'],
      team: { value: 'payments', entry: 'payments-*' },
      environment: { value: 'dev', entry: '*-dev' },
      dataSensitivity: { value: 'confidential', entry: 'pay*' },
    });
  });

  it('keeps file order between equally specific patterns', () => {
    const tie = parseAssetCatalogue(
      'assets:\n  - { id: "a-*", team: first }\n  - { id: "*-b", team: second }\n',
    );
    expect(tie.lookup('a-b')).toMatchObject({ team: { value: 'first', entry: 'a-*' } });
  });

  it('says nothing about an asset no entry matches', () => {
    expect(catalogue.lookup('ledger-service')).toEqual({ entries: [] });
  });

  it('answers the same from its cache as the first time', () => {
    const first = catalogue.lookup('payments-dev');
    expect(catalogue.lookup('payments-dev')).toEqual(first);
  });

  it('reads JSON as well as YAML', () => {
    const json = parseAssetCatalogue(
      JSON.stringify({ assets: [{ id: 'ledger-*', environment: 'staging', team: 'ledger' }] }),
    );
    expect(json.lookup('ledger-api')).toMatchObject({
      environment: { value: 'staging', entry: 'ledger-*' },
    });
  });

  it('can be built from entries an API returned', () => {
    const built = createAssetCatalogue({ assets: [{ id: 'x', exposure: 'isolated' }] });
    expect(built.lookup('x').exposure).toEqual({ value: 'isolated', entry: 'x' });
    expect(built.version).toBeUndefined();
  });

  describe('rejects an invalid file with the line, column and field of each problem', () => {
    it('unknown keys, bad values and duplicates', () => {
      const text = [
        'assets:',
        '  - id: payments-api',
        '    enviroment: prod',
        '  - id: ledger-api',
        '    criticality: 3',
        '  - id: payments-api',
        '    exposure: public',
      ].join('\n');
      expect(issuesOf(text)).toEqual([
        {
          line: 2,
          column: 9,
          field: 'assets[0].id',
          message:
            'the entry gives no attribute (environment, team, owner, exposure, criticality, dataSensitivity)',
        },
        {
          line: 3,
          column: 5,
          field: 'assets[0].enviroment',
          message:
            'unknown field "enviroment" (check its spelling: an unknown field would be ignored)',
        },
        {
          line: 5,
          column: 18,
          field: 'assets[1].criticality',
          message: 'Invalid option: expected one of "critical"|"high"|"medium"|"low"',
        },
        {
          line: 7,
          column: 15,
          field: 'assets[2].exposure',
          message: 'Invalid option: expected one of "internet"|"internal"|"isolated"',
        },
      ]);
    });

    it('an asset listed twice', () => {
      const text = 'assets:\n  - id: a\n    team: x\n  - id: a\n    team: y\n';
      expect(issuesOf(text)).toEqual([
        { line: 4, column: 9, field: 'assets[1].id', message: 'asset "a" is listed twice' },
      ]);
    });

    it('JSON with a wrong value, located by line too', () => {
      const text = '{\n  "assets": [\n    { "id": "a", "environment": "production" }\n  ]\n}\n';
      expect(issuesOf(text)).toEqual([
        expect.objectContaining({ line: 3, column: 33, field: 'assets[0].environment' }),
      ]);
    });

    it('an id with characters an asset id cannot have', () => {
      const text = 'assets:\n  - id: "payments api"\n    team: x\n';
      expect(issuesOf(text)).toEqual([
        expect.objectContaining({ line: 2, column: 9, field: 'assets[0].id' }),
      ]);
    });

    it('is a permanent error naming the file', () => {
      expect(() => parseAssetCatalogue('assets: 1', 'cmdb.yaml')).toThrow(PermanentError);
      expect(() => parseAssetCatalogue('assets: 1', 'cmdb.yaml')).toThrow(
        /^cmdb\.yaml is invalid \(1 problem\):\n {2}line 1, column 9, field assets: /,
      );
    });
  });
});
