import { readJsonHead } from './json-head';

describe('readJsonHead', () => {
  it('lists key paths with array indices as #, their kinds and first scalars', () => {
    const head = readJsonHead(
      '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": []}]}',
    );
    expect(head.root).toBe('object');
    expect(head.complete).toBe(true);
    expect(head.has('runs.#.tool.driver.name')).toBe(true);
    expect(head.kind('runs')).toBe('array');
    expect(head.kind('runs.#.results')).toBe('array');
    expect(head.scalar('version')).toBe('2.1.0');
    expect(head.has('results')).toBe(false);
  });

  it('tolerates a document cut by the detection window', () => {
    const text = JSON.stringify({
      SchemaVersion: 2,
      Results: [{ Target: 't', Vulnerabilities: [{ VulnerabilityID: 'CVE-1' }] }],
    });
    const head = readJsonHead(text.slice(0, text.indexOf('CVE-1') + 2));
    expect(head.complete).toBe(false);
    expect(head.has('Results.#.Vulnerabilities.#.VulnerabilityID')).toBe(true);
    expect(head.scalar('SchemaVersion')).toBe(2);
  });

  it('decodes escaped keys, reads root scalars and recognises non-JSON', () => {
    expect(readJsonHead('{"a\\u0062": {"c": [true]}}').has('ab.c.#')).toBe(true);
    expect(readJsonHead('null')).toMatchObject({ root: 'null', complete: true });
    expect(readJsonHead('[{"Target": "x"}]').has('#.Target')).toBe(true);
    expect(readJsonHead('<?xml version="1.0"?><a/>').root).toBeUndefined();
    expect(readJsonHead('{"a": 1} trailing').complete).toBe(false);
  });
});
