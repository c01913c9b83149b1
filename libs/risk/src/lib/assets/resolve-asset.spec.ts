import type { AssetRef } from '@hum/contracts';
import { parseAssetCatalogue } from './asset-catalogue';
import { describeSource, resolveAsset } from './resolve-asset';

const catalogue = parseAssetCatalogue(`
version: cmdb-7
assets:
  - id: payments-api
    environment: prod
    criticality: critical
  - id: "payments-*"
    team: payments
`);

const scanned: AssetRef = {
  id: 'payments-api',
  type: 'container-image',
  environment: 'staging',
  exposure: 'internet',
  owner: 'alice@bank.example',
};

describe('resolveAsset', () => {
  it('lets the catalogue win, fills gaps from the scan, and records where each came from', () => {
    const asset = resolveAsset(scanned, catalogue);
    expect(asset).toEqual({
      id: 'payments-api',
      type: 'container-image',
      environment: { from: 'catalogue', value: 'prod', entry: 'payments-api', scanSaid: 'staging' },
      exposure: { from: 'scan', value: 'internet' },
      team: { from: 'catalogue', value: 'payments', entry: 'payments-*' },
      owner: { from: 'scan', value: 'alice@bank.example' },
      criticality: { from: 'catalogue', value: 'critical', entry: 'payments-api' },
      dataSensitivity: { from: 'unknown', value: undefined },
      catalogueEntries: ['payments-api', 'payments-*'],
      catalogueVersion: 'cmdb-7',
    });
  });

  it('does not record a disagreement when the scan said the same', () => {
    const asset = resolveAsset({ ...scanned, environment: 'prod' }, catalogue);
    expect(asset.environment).toEqual({ from: 'catalogue', value: 'prod', entry: 'payments-api' });
  });

  it('uses the scan alone without a catalogue, or when no entry matches', () => {
    for (const asset of [
      resolveAsset(scanned),
      resolveAsset({ ...scanned, id: 'ledger' }, catalogue),
    ]) {
      expect(asset.environment).toEqual({ from: 'scan', value: 'staging' });
      expect(asset.team).toEqual({ from: 'unknown', value: undefined });
      expect(asset.criticality).toEqual({ from: 'unknown', value: undefined });
      expect(asset.catalogueEntries).toEqual([]);
    }
  });

  it('describes each source for a factor note', () => {
    const asset = resolveAsset(scanned, catalogue);
    expect(describeSource(asset.environment)).toBe(
      'from the asset catalogue (entry payments-api; the scan said staging)',
    );
    expect(describeSource(asset.exposure)).toBe('from the scan');
    expect(describeSource(asset.dataSensitivity)).toBe(
      'unknown to the asset catalogue and the scan',
    );
  });
});
