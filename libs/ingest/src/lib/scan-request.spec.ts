import { readScanRequest } from './scan-request';

describe('readScanRequest', () => {
  it('reads the asset context from query parameters and headers', () => {
    const result = readScanRequest(
      { asset: 'payments-api', environment: 'prod', format: 'trivy-json' },
      { 'x-hum-team': 'payments', 'x-hum-commit': '9fceb02d0ae598e95dc970b74767f19372d61af8' },
    );
    expect(result).toEqual({
      ok: true,
      request: {
        asset: {
          id: 'payments-api',
          type: 'repository',
          environment: 'prod',
          team: 'payments',
          commit: '9fceb02d0ae598e95dc970b74767f19372d61af8',
        },
        format: 'trivy-json',
      },
    });
  });

  it('names each bad parameter', () => {
    const result = readScanRequest(
      { environment: 'production', exposure: 'public', repository: 'ftp://x', format: 'nessus' },
      {},
    );
    expect(result.ok).toBe(false);
    const params = result.ok ? [] : result.errors.map((e) => e.parameter).sort();
    expect(params).toEqual(['asset', 'environment', 'exposure', 'format', 'repository']);
  });

  it('refuses a query parameter and header that disagree, and repeated parameters', () => {
    const result = readScanRequest(
      { asset: ['a', 'b'], team: 'x' },
      { 'x-hum-team': 'y', 'x-hum-asset': 'a' },
    );
    expect(result.ok).toBe(false);
    const details = result.ok ? [] : result.errors.map((e) => `${e.parameter}: ${e.detail}`);
    expect(details).toEqual(
      expect.arrayContaining([
        'asset: given more than once',
        'team: query parameter and x-hum-team header disagree',
      ]),
    );
  });

  it('rejects asset ids with spaces or shell characters', () => {
    const result = readScanRequest({ asset: 'pay ments;rm' }, {});
    expect(result.ok ? [] : result.errors.map((e) => e.parameter)).toEqual(['asset']);
  });
});
